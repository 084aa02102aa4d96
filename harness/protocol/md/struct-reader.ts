import { fail, ok, type Result } from "../../errors.ts";
import { type MdStructError, structError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads a big-endian struct field by field; every read names its field and never reads past the end. */
export class StructReader {
  private offset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly struct: string,
  ) {}

  private take(field: string, length: number): Result<Buffer, MdStructError> {
    if (this.offset + length > this.bytes.length) {
      return fail(
        structError(
          "TRUNCATED",
          `${this.struct} ${field}: needs ${length} byte(s) at offset ${this.offset}, ${this.bytes.length - this.offset} left`,
          field,
        ),
      );
    }
    const slice = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + this.offset, length);
    this.offset += length;
    return ok(slice);
  }

  u8(field: string): Result<number, MdStructError> {
    const b = this.take(field, 1);
    return b.ok ? ok(b.value.readUInt8(0)) : b;
  }

  u16(field: string): Result<number, MdStructError> {
    const b = this.take(field, 2);
    return b.ok ? ok(b.value.readUInt16BE(0)) : b;
  }

  u32(field: string): Result<number, MdStructError> {
    const b = this.take(field, 4);
    return b.ok ? ok(b.value.readUInt32BE(0)) : b;
  }

  u64(field: string): Result<bigint, MdStructError> {
    const b = this.take(field, 8);
    return b.ok ? ok(b.value.readBigUInt64BE(0)) : b;
  }

  bytesOf(field: string, length: number): Result<Buffer, MdStructError> {
    return this.take(field, length);
  }

  /** A u8 length, then that many bytes of UTF-8 text. */
  text(lengthField: string, field: string): Result<string, MdStructError> {
    const length = this.u8(lengthField);
    if (!length.ok) return length;
    const raw = this.take(field, length.value);
    if (!raw.ok) return raw;
    try {
      return ok(utf8.decode(raw.value));
    } catch {
      return fail(structError("BAD_TEXT", `${this.struct} ${field}: not UTF-8 text`, field));
    }
  }

  /** The struct ends here: anything after it is an error. */
  end(): Result<void, MdStructError> {
    const left = this.bytes.length - this.offset;
    if (left === 0) return ok(undefined);
    return fail(
      structError(
        "TRAILING_BYTES",
        `${this.struct}: ${left} byte(s) after the last field (${this.offset} expected)`,
      ),
    );
  }
}
