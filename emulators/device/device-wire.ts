import type { Logger } from "pino";
import type { Link } from "../../harness/link/socket-link.ts";
import type { CipherKey } from "../../harness/protocol/cts/crypto.ts";
import type { Framing } from "../../harness/protocol/cts/envelope.ts";
import { decodeFrameLine, encodeFrame } from "../../harness/protocol/mc/codec.ts";
import { keyKindFor } from "../../harness/protocol/mc/packet-types.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import type { Misbehaviour } from "./misbehaviour.ts";
import { corruptCiphertext, garbleFrame } from "./tamper.ts";

export interface DeviceWireOptions {
  deviceId: string;
  pinKey: CipherKey;
  framing: Framing | undefined;
  misbehaviour: Misbehaviour;
  logger: Logger;
}

/**
 * A device's frames (5.2, 5.2.2): login frames under the PIN, everything after under the session key, the token
 * in clear on every frame after login, and the fault switches that break frames on their way out.
 */
export class DeviceWire {
  /** Set by each login (5.4.2.1). */
  token: string | undefined;
  sessionKey: CipherKey | undefined;
  /** Login frames' key (5.2.2 item 2). */
  readonly pinKey: CipherKey;

  constructor(private readonly options: DeviceWireOptions) {
    this.pinKey = options.pinKey;
  }

  encode(message: McMessage): Buffer {
    const key = this.keyFor(message.code);
    if (key === undefined) throw new Error(`${this.options.deviceId}: no session key for ${message.code}`);
    const { framing } = this.options;
    return encodeFrame(message, { key, token: this.token ?? "", ...(framing ? { framing } : {}) });
  }

  /** Sends a frame on `link` through the fault switches: garbled framing first, then corrupt ciphertext. */
  send(link: Link | undefined, frame: Buffer): void {
    const { misbehaviour } = this.options;
    let bytes = frame;
    if (misbehaviour.garbleFrames > 0) {
      misbehaviour.garbleFrames--;
      bytes = garbleFrame(bytes);
    } else if (misbehaviour.corruptCiphertext > 0) {
      misbehaviour.corruptCiphertext--;
      bytes = corruptCiphertext(bytes);
    }
    link?.send(bytes);
  }

  /** A line from the platform, or undefined when it is not a frame this device can read (dropped, 5.2.2 item 6). */
  decode(line: Buffer): McMessage | undefined {
    const decoded = decodeFrameLine(line, (envelope) => this.keyFor(envelope.code), this.options.framing);
    if (decoded.ok) return decoded.value.message;
    this.options.logger.debug(
      { deviceId: this.options.deviceId, error: decoded.error.code },
      "frame dropped",
    );
    return undefined;
  }

  private keyFor(code: McMessage["code"]): CipherKey | undefined {
    return keyKindFor(code) === "pin" ? this.options.pinKey : this.sessionKey;
  }
}
