import { createCipheriv, createDecipheriv } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CbcContexts, CbcContextsByKey } from "./cbc-contexts.ts";

setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

const block16 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((bytes) => Buffer.from(bytes));

function freshEncrypt(key: Buffer, iv: Buffer, plaintext: Uint8Array): Buffer {
  const cipher = createCipheriv("aes-128-cbc", key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

/** A fresh OpenSSL context with its own padding check; undefined where it refuses the padding. */
function freshDecrypt(key: Buffer, iv: Buffer, ciphertext: Uint8Array): Buffer | undefined {
  try {
    const decipher = createDecipheriv("aes-128-cbc", key, iv);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    return undefined;
  }
}

describe("CbcContexts", () => {
  it("encrypts every message of a sequence to the bytes a fresh context gives", () => {
    fc.assert(
      fc.property(
        block16,
        block16,
        fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 8 }),
        (key, iv, messages) => {
          const contexts = new CbcContexts(key, iv);
          for (const message of messages)
            expect(contexts.encrypt(message)).toEqual(freshEncrypt(key, iv, message));
        },
      ),
    );
  });

  it("decrypts every message of a sequence as a fresh context does, refusing the same bad paddings", () => {
    // Each ciphertext is either a real one (good padding) or random blocks (mostly bad padding, sometimes good).
    const ciphertext = (key: Buffer, iv: Buffer) =>
      fc.oneof(
        fc.uint8Array({ maxLength: 80 }).map((plain) => freshEncrypt(key, iv, plain)),
        fc
          .integer({ min: 1, max: 5 })
          .chain((blocks) =>
            fc
              .uint8Array({ minLength: blocks * 16, maxLength: blocks * 16 })
              .map((bytes) => Buffer.from(bytes)),
          ),
      );
    fc.assert(
      fc.property(
        fc
          .tuple(block16, block16)
          .chain(([key, iv]) =>
            fc.tuple(fc.constant(key), fc.constant(iv), fc.array(ciphertext(key, iv), { maxLength: 8 })),
          ),
        ([key, iv, ciphertexts]) => {
          const contexts = new CbcContexts(key, iv);
          for (const sealed of ciphertexts)
            expect(contexts.decrypt(sealed)).toEqual(freshDecrypt(key, iv, sealed));
        },
      ),
    );
  });

  it("refuses a last block whose padding byte is 0, above 16, or not repeated", () => {
    const key = Buffer.alloc(16, 1);
    const iv = Buffer.alloc(16, 2);
    const contexts = new CbcContexts(key, iv);
    const sealedRaw = (plain: Buffer) => {
      const cipher = createCipheriv("aes-128-cbc", key, iv).setAutoPadding(false);
      return Buffer.concat([cipher.update(plain), cipher.final()]);
    };
    const withTail = (tail: number[]) =>
      Buffer.concat([Buffer.alloc(16 - tail.length, 0x41), Buffer.from(tail)]);
    expect(contexts.decrypt(sealedRaw(withTail([0])))).toBeUndefined();
    expect(contexts.decrypt(sealedRaw(withTail([17])))).toBeUndefined();
    expect(contexts.decrypt(sealedRaw(withTail([2, 3, 3])))).toBeUndefined();
    expect(contexts.decrypt(sealedRaw(withTail([3, 3, 3])))).toEqual(Buffer.alloc(13, 0x41));
    expect(contexts.decrypt(sealedRaw(Buffer.alloc(16, 16)))).toEqual(Buffer.alloc(0));
  });

  it("keeps its chain blocks in memory of its own, not in a pool its session would keep alive", () => {
    // Buffers allocated around the contexts share Node's 8 KiB pool; the chains live as long as the session.
    const contexts = new CbcContexts(Buffer.alloc(16, 1), Buffer.alloc(16, 2));
    const { chains } = contexts as unknown as { chains: Buffer };
    expect(chains.buffer.byteLength).toBe(32);
    expect(chains).toEqual(Buffer.alloc(32, 2));
  });
});

describe("CbcContextsByKey", () => {
  it("gives contexts to the first keys up to its capacity, keeps them with their key, and has room again once a key is gone", async () => {
    const byKey = new CbcContextsByKey<object>(2);
    const bytes = Buffer.alloc(16, 3);
    const first = {};
    let second: object | undefined = {};
    const third = {};
    const firstContexts = byKey.get(first, bytes, bytes);
    expect(firstContexts).toBeInstanceOf(CbcContexts);
    expect(byKey.get(second, bytes, bytes)).toBeInstanceOf(CbcContexts);
    expect(byKey.get(third, bytes, bytes)).toBeUndefined();
    expect(byKey.get(first, bytes, bytes)).toBe(firstContexts);
    second = undefined;
    // A WeakMap entry goes with its key, and the registry reports it after a collection.
    for (let i = 0; i < 20 && byKey.size === 2; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      collectGarbage();
    }
    expect(byKey.size).toBe(1);
    expect(byKey.get(third, bytes, bytes)).toBeInstanceOf(CbcContexts);
    expect(byKey.get(first, bytes, bytes)).toBe(firstContexts);
  });
});
