import { type Cipher, createCipheriv, createDecipheriv, type Decipher } from "node:crypto";

const CIPHER_CHAIN = 0;
const DECIPHER_CHAIN = 16;

/**
 * AES-128-CBC under one key and one fixed IV (5.2.2 item 2), through two long-lived OpenSSL contexts instead of a new
 * one per frame: setting up a context (the key schedule) costs more than encrypting a heartbeat body, and Node cannot
 * reuse a context after `final()`. The contexts run without padding and never reach `final()`:
 * - CBC chains every block from the previous ciphertext block, so a context that has seen earlier messages starts the
 *   next one from their last ciphertext block instead of the IV. XOR-ing (that block ^ IV) into the first plaintext
 *   block before encrypting, and into the first decrypted block after, gives exactly the bytes of a fresh context.
 * - PKCS#7 padding is added and checked here, with OpenSSL's rule: 1 to 16 bytes, each the count.
 */
export class CbcContexts {
  /** Each made at its first use: a key may only ever decrypt, or only encrypt. */
  private cipher: Cipher | undefined;
  private decipher: Decipher | undefined;
  /**
   * The last ciphertext block each context has chained on (the IV at first): the encrypting context's in bytes
   * 0-15, the decrypting one's in 16-31. Bytes of their own: a small `Buffer.from` is a slice of a shared 8 KiB
   * pool, which a long-lived slice keeps alive.
   */
  private readonly chains = Buffer.alloc(32);

  constructor(
    private readonly key: Buffer,
    private readonly iv: Buffer,
  ) {
    this.chains.set(iv, CIPHER_CHAIN);
    this.chains.set(iv, DECIPHER_CHAIN);
  }

  encrypt(plaintext: Uint8Array): Buffer {
    this.cipher ??= createCipheriv("aes-128-cbc", this.key, this.iv).setAutoPadding(false);
    const padding = 16 - (plaintext.length % 16);
    const block = Buffer.allocUnsafe(plaintext.length + padding);
    block.set(plaintext);
    block.fill(padding, plaintext.length);
    this.restartChain(block, CIPHER_CHAIN);
    const ciphertext = this.cipher.update(block);
    ciphertext.copy(this.chains, CIPHER_CHAIN, ciphertext.length - 16);
    return ciphertext;
  }

  /** `ciphertext` must be a non-empty whole number of blocks; undefined when its padding is bad. */
  decrypt(ciphertext: Uint8Array): Buffer | undefined {
    this.decipher ??= createDecipheriv("aes-128-cbc", this.key, this.iv).setAutoPadding(false);
    const plaintext = this.decipher.update(ciphertext);
    this.restartChain(plaintext, DECIPHER_CHAIN);
    this.chains.set(ciphertext.subarray(ciphertext.length - 16), DECIPHER_CHAIN);
    const padding = plaintext[plaintext.length - 1] as number;
    if (padding < 1 || padding > 16) return undefined;
    for (let i = plaintext.length - padding; i < plaintext.length - 1; i++)
      if (plaintext[i] !== padding) return undefined;
    return plaintext.subarray(0, plaintext.length - padding);
  }

  /** Makes the first block of `block` as if its context had just been set up with the IV. */
  private restartChain(block: Buffer, chain: number): void {
    for (let i = 0; i < 16; i++)
      block[i] = (block[i] as number) ^ (this.chains[chain + i] as number) ^ (this.iv[i] as number);
  }
}

/**
 * Contexts for at most `capacity` keys alive at once (a pair holds about 2 KiB of OpenSSL state), each kept as long as
 * its key: the first keys get them, later ones none while those live, and their frames cost a context each, as
 * before. No key is evicted for another: a farm with more sessions than that would otherwise make contexts for every
 * frame and drop them unused, costing more CPU than a context per frame and native memory until the next collection.
 */
export class CbcContextsByKey<K extends object> {
  private readonly contexts = new WeakMap<K, CbcContexts>();
  private live = 0;
  private readonly released = new FinalizationRegistry<undefined>(() => {
    this.live--;
  });

  constructor(private readonly capacity: number) {}

  /** The contexts of `owner`'s key, made now if there is room; undefined when there is none. */
  get(owner: K, key: Buffer, iv: Buffer): CbcContexts | undefined {
    let contexts = this.contexts.get(owner);
    if (contexts === undefined && this.live < this.capacity) {
      contexts = new CbcContexts(key, iv);
      this.contexts.set(owner, contexts);
      this.released.register(owner, undefined);
      this.live++;
    }
    return contexts;
  }

  /** Keys holding contexts, until the collector has reported the ones gone. */
  get size(): number {
    return this.live;
  }
}
