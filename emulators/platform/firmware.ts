import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface FirmwareFile {
  name: string;
  bytes: Buffer;
  /** Lowercase hex MD5, as 2025 carries it (5.4.3.15). */
  md5: string;
}

/** Firmware files the platform serves over HTTP at `/firmware/<name>` (protocol-decisions section 8). */
export class FirmwareStore {
  private readonly files = new Map<string, FirmwareFile>();

  put(name: string, bytes: Buffer): FirmwareFile {
    const file = { name, bytes, md5: createHash("md5").update(bytes).digest("hex") };
    this.files.set(name, file);
    return file;
  }

  get(name: string): FirmwareFile | undefined {
    return this.files.get(name);
  }

  list(): Array<Omit<FirmwareFile, "bytes"> & { size: number }> {
    return [...this.files.values()].map(({ name, md5, bytes }) => ({ name, md5, size: bytes.length }));
  }

  /** Serves every regular file of a directory under its own name. */
  async loadDirectory(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isFile()) this.put(entry.name, await readFile(join(dir, entry.name)));
    }
  }
}
