import { createHash, randomUUID } from "node:crypto";
import { createReadStream, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { type FileHandle, open, readdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { PlatformError } from "../errors.ts";

export interface FirmwareFile {
  name: string;
  /** Where the bytes are: the platform's temporary directory, or the operator's `--firmware-dir` (served in place). */
  path: string;
  size: number;
  /** Lowercase hex MD5, as 2025 carries it (5.4.3.15). */
  md5: string;
}

export interface FirmwareLimits {
  /** Bytes of one file. */
  maxFirmwareBytes: number;
  /** Files held at once (uploads, `put` and `--firmware-dir` together); replacing a name does not count. */
  maxFirmwareFiles: number;
}

/** Longest firmware name: it is a path segment of `/firmware/<name>` and goes into 2025's `url`. */
export const MAX_FIRMWARE_NAME = 128;

/** Why a name cannot be a firmware file's name, or undefined when it can. */
export function firmwareNameProblem(name: string): string | undefined {
  if (name === "" || name === "." || name === "..") return "must be a file name";
  if (name.length > MAX_FIRMWARE_NAME) return `is ${name.length} characters, over ${MAX_FIRMWARE_NAME}`;
  if (/[/\\]/.test(name)) return "must not contain / or \\";
  if (name.includes("..")) return "must not contain ..";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return "must not contain NUL or control characters";
  return undefined;
}

/** An upload over `maxFirmwareBytes` (HTTP 413). */
export class FirmwareTooLarge extends PlatformError {
  constructor(readonly limit: number) {
    super(
      "BODY_TOO_LARGE",
      `firmware file over the ${limit.toLocaleString("en")}-byte limit (maxFirmwareBytes)`,
    );
  }
}

/**
 * Firmware files the platform serves over HTTP at `/firmware/<name>` (docs/protocol-readings.md, "The reference
 * platform" > Firmware files). The bytes stay on disk: uploads are streamed into a temporary directory (made on first
 * use, removed by `close`) and served by streaming; `--firmware-dir` files are served where they are. Only names and
 * MD5s are held in memory.
 */
/** Firmware uploads under way at once: bounds the temporary disk they hold (each up to maxFirmwareBytes). */
const MAX_UPLOADS = 4;

export class FirmwareStore {
  private readonly files = new Map<string, FirmwareFile>();
  /** Names of uploads under way that would add a file: they count toward `maxFirmwareFiles` until they end. */
  private readonly reserved = new Set<string>();
  /** Names being uploaded: one upload per name, at most `MAX_UPLOADS` at once (each may hold maxFirmwareBytes). */
  private readonly uploading = new Set<string>();
  private dir: string | undefined;
  private closed = false;

  constructor(private readonly limits: FirmwareLimits) {}

  /** Stores `bytes` under `name` (scenarios and tests); replaces a file of that name. */
  put(name: string, bytes: Uint8Array): FirmwareFile {
    this.checkName(name);
    if (bytes.length > this.limits.maxFirmwareBytes) throw new FirmwareTooLarge(this.limits.maxFirmwareBytes);
    this.checkRoom(name);
    const path = this.newPath();
    writeFileSync(`${path}.part`, bytes);
    renameSync(`${path}.part`, path);
    const md5 = createHash("md5").update(bytes).digest("hex");
    return this.keep({ name, path, size: bytes.length, md5 });
  }

  /**
   * Streams `source` into the store under `name`, computing its MD5 on the way. Over `maxFirmwareBytes` it throws
   * `FirmwareTooLarge` as soon as the limit is passed, and nothing is left behind (the partial file is removed; a
   * file of the same name is kept). The source is not destroyed: the caller decides what to do with the rest.
   */
  async putStream(name: string, source: AsyncIterable<Uint8Array>): Promise<FirmwareFile> {
    this.checkName(name);
    if (this.uploading.has(name) || this.uploading.size >= MAX_UPLOADS)
      throw new PlatformError(
        "FIRMWARE_BUSY",
        this.uploading.has(name)
          ? `name: an upload of ${JSON.stringify(name)} is already under way`
          : `${MAX_UPLOADS} firmware uploads are already under way; try again when one ends`,
      );
    this.checkRoom(name);
    const adds = !this.files.has(name);
    if (adds) this.reserved.add(name);
    this.uploading.add(name);
    const path = this.newPath();
    const part = `${path}.part`;
    let handle: FileHandle | undefined;
    try {
      handle = await open(part, "wx");
      const md5 = createHash("md5");
      let size = 0;
      for await (const chunk of source) {
        size += chunk.length;
        if (size > this.limits.maxFirmwareBytes) throw new FirmwareTooLarge(this.limits.maxFirmwareBytes);
        md5.update(chunk);
        await handle.write(chunk);
      }
      await handle.close();
      handle = undefined;
      await rename(part, path);
      return this.keep({ name, path, size, md5: md5.digest("hex") });
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await rm(part, { force: true });
      throw error;
    } finally {
      this.uploading.delete(name);
      if (adds) this.reserved.delete(name);
    }
  }

  get(name: string): FirmwareFile | undefined {
    return this.files.get(name);
  }

  /** The file's bytes as a stream, or undefined when there is no such file (or it is gone from the disk). */
  async open(name: string): Promise<{ file: FirmwareFile; stream: Readable } | undefined> {
    const file = this.files.get(name);
    if (file === undefined) return undefined;
    try {
      // Opened before answering, so a missing file is a 404 rather than a broken 200.
      const handle = await open(file.path, "r");
      return { file, stream: handle.createReadStream() };
    } catch {
      return undefined;
    }
  }

  /** Forgets a file; one the platform stored is deleted, one of `--firmware-dir` is left where it is. */
  async delete(name: string): Promise<boolean> {
    const file = this.files.get(name);
    if (file === undefined) return false;
    this.files.delete(name);
    if (this.owns(file.path)) await rm(file.path, { force: true });
    return true;
  }

  list(): Array<Omit<FirmwareFile, "path">> {
    return [...this.files.values()].map(({ name, md5, size }) => ({ name, md5, size }));
  }

  /** Serves every regular file of a directory under its own name, in place (its MD5 read once, streamed). */
  async loadDirectory(dir: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(dir, entry.name);
      const md5 = createHash("md5");
      let size = 0;
      for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
        md5.update(chunk);
        size += chunk.length;
      }
      this.files.set(entry.name, { name: entry.name, path, size, md5: md5.digest("hex") });
    }
  }

  /** Removes the temporary directory and everything in it. */
  async close(): Promise<void> {
    this.closed = true;
    for (const [name, file] of this.files) if (this.owns(file.path)) this.files.delete(name);
    if (this.dir !== undefined) await rm(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private keep(file: FirmwareFile): FirmwareFile {
    const previous = this.files.get(file.name);
    this.files.set(file.name, file);
    if (previous !== undefined && this.owns(previous.path)) rmSync(previous.path, { force: true });
    return file;
  }

  private checkName(name: string): void {
    const problem = firmwareNameProblem(name);
    if (problem !== undefined)
      throw new PlatformError(
        "BAD_REQUEST",
        `name: a firmware name ${problem} (got ${JSON.stringify(name.slice(0, 140))})`,
      );
  }

  private checkRoom(name: string): void {
    if (this.files.has(name) || this.reserved.has(name)) return;
    const held = this.files.size + this.reserved.size;
    if (held >= this.limits.maxFirmwareFiles) {
      throw new PlatformError(
        "TOO_MANY_FIRMWARE_FILES",
        `the platform holds ${held} firmware files, the limit (maxFirmwareFiles ${this.limits.maxFirmwareFiles}): ` +
          "replace one by its name or DELETE /api/firmware/<name> first",
      );
    }
  }

  private newPath(): string {
    if (this.closed) throw new PlatformError("BAD_REQUEST", "the platform is closing");
    this.dir ??= mkdtempSync(join(tmpdir(), "hilfarm-firmware-"));
    return join(this.dir, randomUUID());
  }

  private owns(path: string): boolean {
    return this.dir !== undefined && path.startsWith(`${this.dir}/`);
  }
}
