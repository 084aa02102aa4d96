import { type PerfSample, placeOf } from "./perf-script.ts";

/**
 * Kinds of work a sample of `perf record -g` belongs to, in the order a table lists them. A profile by function finds
 * the excess of a program over a bare floor spread thin; by kind it shows what the excess is made of: the collector,
 * the compilers, JavaScript, the kernel's network or memory work.
 */
export const WORK_KINDS = [
  "garbage collection (V8's collector, every thread)",
  "compiling JavaScript (V8's parser and compilers)",
  "JavaScript, JIT-compiled",
  "V8 builtins, inline caches and runtime",
  "crypto (OpenSSL)",
  "malloc and free (libc)",
  "Node and libuv (bindings, event loop)",
  "libc, other (system call stubs, copies)",
  "kernel: network (sockets, TCP/UDP/IP, soft interrupts)",
  "kernel: memory (page faults, mappings)",
  "kernel: event loop and scheduling (epoll, futex, switches)",
  "kernel: other",
  "other",
] as const;

export type WorkKind = (typeof WORK_KINDS)[number];

// A frame of V8's collector anywhere on the stack: on the main thread (a scavenge, a finalisation) or on a helper.
const GC =
  /v8::internal::(Heap::(CollectGarbage|CollectAllGarbage|PerformGarbageCollection|StartIncrementalMarking|FinalizeIncrementalMarking)|Scaveng|MarkCompact|MinorMarkCompact|ConcurrentMarking|IncrementalMarking|Sweeper|ArrayBufferSweeper|MemoryReducer|MarkingVisitor|MainMarkingVisitor|Evacuat|PageEvacuation|RememberedSetUpdating|PointersUpdating|YoungGenerationMarking)/;
const COMPILE =
  /v8::internal::(compiler::|Compiler::|OptimizingCompileDispatcher|baseline::|maglev::|BackgroundCompileTask|(Pre)?Parser(Base)?[<:]|Scanner::|interpreter::BytecodeGenerator|OptimizedCompilationJob|TurbofanCompilationJob|Deoptimizer::)/;
const CRYPTO =
  /^(node::crypto::|ncrypto::|EVP_|evp_|ossl_|OPENSSL_|CRYPTO_|ERR_|aes|AES_|_?aesni_|vpaes_|bn_|BN_|RAND_|rand_)/;
const MALLOC =
  /^(malloc|_int_malloc|__libc_malloc|free|_int_free|__libc_free|cfree|calloc|__libc_calloc|realloc|_int_realloc|malloc_consolidate|unlink_chunk|tcache_|_?int_memalign|posix_memalign|operator new|operator delete)/;
const KERNEL_MEMORY =
  /^(clear_page|exc_page_fault|asm_exc_page_fault|do_user_addr_fault|handle_mm_fault|__handle_mm_fault|do_anonymous_page|do_wp_page|wp_page_copy|__x64_sys_(mmap|munmap|madvise|mprotect|brk|mremap)|vm_mmap|do_mmap|__vm_munmap|do_vmi_munmap|do_madvise|zap_|unmap_page_range|free_pgtables|tlb_finish_mmu|mprotect_fixup|alloc_pages|__alloc_pages|get_page_from_freelist|__folio_alloc|vma_alloc_folio)/;
const KERNEL_NETWORK =
  /^(tcp_|__tcp_|udp_|__udp|udp4_|inet_|__inet|inet6_|sock_|__sock|sk_|__sk_|skb_|__skb|alloc_skb|kfree_skb|consume_skb|ip_|__ip_|ip6_|net_|__net|netif_|__netif|napi_|__napi|dev_|__dev_|loopback_|process_backlog|__x64_sys_(socket|connect|accept4?|bind|listen|sendto|recvfrom|sendmsg|recvmsg|sendmmsg|recvmmsg|shutdown|getsockname|getpeername|setsockopt|getsockopt)|__sys_|do_softirq|__do_softirq|handle_softirqs|__local_bh_enable_ip|nf_|fib_|dst_|neigh_|rt_|release_sock|lock_sock)/;
const KERNEL_LOOP =
  /^(ep_|do_epoll|__x64_sys_epoll|epoll_|schedule|__schedule|finish_task_switch|try_to_wake_up|futex_|__futex|do_futex|__x64_sys_futex|pick_next_task|enqueue_task|dequeue_task|update_curr|__wake_up)/;

const isJs = (frame: { symbol: string }) => frame.symbol.startsWith("JS:");
const isKernel = (frame: { dso: string }) => placeOf(frame.dso) === "kernel";

/**
 * The kind of work of one sample. The collector and the compilers claim a sample wherever they are on its stack (a
 * copy or a fault inside a scavenge is the scavenge's). Kernel work is named by the nearest kernel frame, from the
 * leaf outwards, that says what it serves (a page fault inside a `sendmsg` is memory; `pvm_irq_enable`, where a
 * virtual machine's kernel re-enables interrupts, is named by what called it). Native code called from JavaScript is
 * crypto when an OpenSSL or `node::crypto` frame lies between the leaf and the nearest JavaScript frame.
 */
export function workKindOf(sample: PerfSample): WorkKind {
  const { frames } = sample;
  const leaf = frames[0];
  if (leaf === undefined) return "other";
  if (frames.some((f) => GC.test(f.symbol))) return "garbage collection (V8's collector, every thread)";
  if (frames.some((f) => COMPILE.test(f.symbol))) return "compiling JavaScript (V8's parser and compilers)";
  if (isKernel(leaf)) {
    for (const frame of frames) {
      if (!isKernel(frame)) break;
      if (KERNEL_MEMORY.test(frame.symbol)) return "kernel: memory (page faults, mappings)";
      if (KERNEL_NETWORK.test(frame.symbol)) return "kernel: network (sockets, TCP/UDP/IP, soft interrupts)";
      if (KERNEL_LOOP.test(frame.symbol)) return "kernel: event loop and scheduling (epoll, futex, switches)";
    }
    return "kernel: other";
  }
  if (isJs(leaf) || placeOf(leaf.dso) === "JavaScript, JIT-compiled") return "JavaScript, JIT-compiled";
  const firstJs = frames.findIndex(isJs);
  const native = firstJs < 0 ? frames : frames.slice(0, firstJs);
  if (native.some((f) => CRYPTO.test(f.symbol))) return "crypto (OpenSSL)";
  if (MALLOC.test(leaf.symbol)) return "malloc and free (libc)";
  if (/^(Builtins_|v8::|Runtime_)/.test(leaf.symbol)) return "V8 builtins, inline caches and runtime";
  if (/^(node::|uv_|uv__)/.test(leaf.symbol)) return "Node and libuv (bindings, event loop)";
  if (/libc\.so/.test(leaf.dso)) return "libc, other (system call stubs, copies)";
  return "other";
}

/** Samples counted by kind of work, every kind present (0 where none). */
export function tallyWorkKinds(samples: readonly PerfSample[]): Map<WorkKind, number> {
  const counts = new Map<WorkKind, number>(WORK_KINDS.map((kind) => [kind, 0]));
  for (const sample of samples) {
    const kind = workKindOf(sample);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}
