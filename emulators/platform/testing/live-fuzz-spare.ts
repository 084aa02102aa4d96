import { type Socket, connect as tcpConnect } from "node:net";
import { type Clock, unixSeconds } from "../../../harness/clock/index.ts";
import { CipherKey } from "../../../harness/protocol/cts/crypto.ts";
import { encodeFrame } from "../../../harness/protocol/mc/codec.ts";
import type { McMessage } from "../../../harness/protocol/mc/schemas/index.ts";
import type { HostileKeys } from "../../../harness/protocol/mc/testing/hostile/index.ts";
import { ScriptedDevice } from "../../device/scripted-device.ts";
import { lineOf, splitHostPort, within } from "./live-fuzz-net.ts";
import { FUZZ_DEVICES } from "./live-fuzz-targets.ts";

/**
 * The live fuzz's "session" surface: the spare device's session, its own TCP connection, written to with
 * backpressure, logged in again when the platform drops it (an over-long frame does).
 */
export class SpareSession {
  private socket: Socket | undefined;
  private device: ScriptedDevice;
  sessions = 0;
  readonly captured: Buffer[] = [];

  constructor(
    private readonly login: string,
    private readonly clock: Clock,
  ) {
    this.device = new ScriptedDevice(FUZZ_DEVICES.spare.deviceId, FUZZ_DEVICES.spare.pin, clock);
  }

  get keys(): HostileKeys {
    return {
      deviceId: FUZZ_DEVICES.spare.deviceId,
      pin: FUZZ_DEVICES.spare.pin,
      ...(this.device.token === undefined ? {} : { token: this.device.token }),
      ...(this.device.sessionKey === undefined ? {} : { sessionKey: this.device.sessionKey }),
      validBodies: true,
    };
  }

  private async open(): Promise<Socket> {
    const body = await within(this.clock, this.device.login(this.login), 5000, "spare login");
    const [host, port] = splitHostPort(body.tcpHost);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = tcpConnect(port, host, () => resolve(s));
      s.once("error", reject);
    });
    socket.on("error", () => undefined);
    socket.on("data", () => undefined);
    const connect: McMessage = {
      code: 1004,
      body: {
        sequence: "1",
        token: body.token,
        devVersion: "1.0.0.1",
        model: "CT-PLUG-01",
        time: unixSeconds(this.clock),
      },
    };
    const answered = new Promise<void>((resolve, reject) => {
      socket.once("data", () => resolve());
      socket.once("close", () => reject(new Error("spare connect refused")));
    });
    const frame = encodeFrame(connect, { key: CipherKey.fromSessionKey(body.sessionKey), token: body.token });
    this.captured.splice(0, this.captured.length, lineOf(frame));
    socket.write(frame);
    await within(this.clock, answered, 5000, "spare connect");
    this.sessions++;
    return socket;
  }

  /** Writes `bytes` in the session (opening one first if there is none), waiting out backpressure. */
  async send(bytes: Buffer): Promise<void> {
    if (this.socket === undefined || this.socket.destroyed) this.socket = await this.open();
    const socket = this.socket;
    if (!socket.write(bytes))
      await within(
        this.clock,
        new Promise<void>((resolve) => {
          socket.once("drain", resolve);
          socket.once("close", resolve);
        }),
        10_000,
        "spare session drain",
      );
  }

  close(): void {
    this.socket?.destroy();
  }
}
