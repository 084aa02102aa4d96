import { describe, expect, it } from "vitest";
import type { PerfSample } from "./perf-script.ts";
import { tallyWorkKinds, WORK_KINDS, workKindOf } from "./work-kinds.ts";

const NODE = "/usr/bin/node";
const KERNEL = "[kernel.kallsyms]";
const LIBC = "/usr/lib/x86_64-linux-gnu/libc.so.6";
const MAP = "/tmp/perf-4242.map";

/** A sample from its frames, leaf first: `[symbol, dso]`. */
const sample = (...frames: Array<[string, string]>): PerfSample => ({
  frames: frames.map(([symbol, dso]) => ({ symbol, dso })),
});

describe("workKindOf", () => {
  it("gives a sample to the collector wherever its frames are on the stack, a copy inside a scavenge included", () => {
    expect(
      workKindOf(
        sample(
          ["__memmove_avx_unaligned_erms", LIBC],
          ["v8::internal::Scavenger::ScavengeObject<v8::internal::FullHeapObjectSlot>", NODE],
          ["v8::internal::ScavengerCollector::CollectGarbage", NODE],
          ["JS:*encodeFrame harness/protocol/mc/codec.ts:7:1", MAP],
        ),
      ),
    ).toBe("garbage collection (V8's collector, every thread)");
    expect(
      workKindOf(sample(["v8::internal::ConcurrentMarking::RunMajor", NODE], ["start_thread", LIBC])),
    ).toBe("garbage collection (V8's collector, every thread)");
    // Allocating is the program's work; only a collection it sets off is the collector's.
    expect(workKindOf(sample(["v8::internal::Heap::AllocateRaw", NODE]))).toBe(
      "V8 builtins, inline caches and runtime",
    );
  });

  it("gives the compilers their threads' work, and leaves JSON.parse to the runtime", () => {
    expect(
      workKindOf(
        sample(
          ["v8::internal::compiler::GraphReducer::ReduceTop", NODE],
          ["v8::internal::OptimizingCompileDispatcher::CompileTask::Run", NODE],
        ),
      ),
    ).toBe("compiling JavaScript (V8's parser and compilers)");
    expect(workKindOf(sample(["v8::internal::Parser::ParseProgram", NODE]))).toBe(
      "compiling JavaScript (V8's parser and compilers)",
    );
    expect(workKindOf(sample(["v8::internal::JsonParser<unsigned char>::BuildJsonObject", NODE]))).toBe(
      "V8 builtins, inline caches and runtime",
    );
  });

  it("names kernel work by the nearest kernel frame that says what it serves", () => {
    const fault = sample(
      ["clear_page_erms", KERNEL],
      ["exc_page_fault", KERNEL],
      ["_copy_from_iter", KERNEL],
      ["udp_sendmsg", KERNEL],
      ["__libc_sendmsg", LIBC],
    );
    expect(workKindOf(fault)).toBe("kernel: memory (page faults, mappings)");
    const softInterrupts = sample(
      ["pvm_irq_enable", KERNEL],
      ["__local_bh_enable_ip", KERNEL],
      ["ip_finish_output2", KERNEL],
      ["JS:*doSend node:dgram:1:1", MAP],
    );
    expect(workKindOf(softInterrupts)).toBe("kernel: network (sockets, TCP/UDP/IP, soft interrupts)");
    expect(workKindOf(sample(["_raw_spin_unlock_irqrestore", KERNEL], ["ep_poll", KERNEL]))).toBe(
      "kernel: event loop and scheduling (epoll, futex, switches)",
    );
    // Only kernel frames count: a user-space caller named like a kernel function is not looked at.
    expect(workKindOf(sample(["entry_SYSCALL_64", KERNEL], ["tcp_user_function", NODE]))).toBe(
      "kernel: other",
    );
  });

  it("tells JavaScript, crypto called from it, the allocator, V8's builtins and Node's own code apart", () => {
    expect(workKindOf(sample(["JS:*openEnvelope harness/protocol/mc/codec.ts:1:1", MAP]))).toBe(
      "JavaScript, JIT-compiled",
    );
    expect(workKindOf(sample(["[unknown]", MAP]))).toBe("JavaScript, JIT-compiled");
    expect(
      workKindOf(
        sample(
          ["_int_malloc", LIBC],
          ["EVP_CipherInit_ex", NODE],
          ["node::crypto::CipherBase::New", NODE],
          ["JS:*createCipherWithIV node:internal/crypto/cipher:1:1", MAP],
        ),
      ),
    ).toBe("crypto (OpenSSL)");
    // Crypto further out than the nearest JavaScript frame called that JavaScript, not this malloc.
    expect(
      workKindOf(
        sample(
          ["malloc", LIBC],
          ["JS:*send harness/link/socket-link.ts:1:1", MAP],
          ["EVP_EncryptUpdate", NODE],
        ),
      ),
    ).toBe("malloc and free (libc)");
    expect(workKindOf(sample(["Builtins_LoadIC_Megamorphic", NODE]))).toBe(
      "V8 builtins, inline caches and runtime",
    );
    expect(workKindOf(sample(["node::BaseObject::BaseObject", NODE]))).toBe(
      "Node and libuv (bindings, event loop)",
    );
    expect(workKindOf(sample(["uv__io_poll", NODE]))).toBe("Node and libuv (bindings, event loop)");
    expect(workKindOf(sample(["__libc_sendmsg", LIBC]))).toBe("libc, other (system call stubs, copies)");
    expect(workKindOf(sample(["ZSTD_compress", "/usr/lib/libzstd.so.1"]))).toBe("other");
    expect(workKindOf({ frames: [] })).toBe("other");
  });
});

describe("tallyWorkKinds", () => {
  it("counts every kind, in the table's order, with 0 where no sample fell", () => {
    const counts = tallyWorkKinds([
      sample(["JS:*a x.ts:1:1", MAP]),
      sample(["JS:*b x.ts:1:1", MAP]),
      sample(["malloc", LIBC]),
    ]);
    expect([...counts.keys()]).toEqual([...WORK_KINDS]);
    expect(counts.get("JavaScript, JIT-compiled")).toBe(2);
    expect(counts.get("malloc and free (libc)")).toBe(1);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(3);
  });
});
