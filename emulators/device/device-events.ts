import type { McCode } from "../../harness/protocol/mc/packet-types.ts";
import type { McMessage } from "../../harness/protocol/mc/schemas/index.ts";
import type { EmulatedDevice } from "./emulated-device.ts";
import type { LoginFailure } from "./login.ts";

export type DeviceState = "off" | "logging-in" | "backoff" | "connecting" | "online";

/** What an emulated device tells its listeners and its observer. */
export interface DeviceEvents {
  state: [DeviceState];
  "login-failed": [{ reason: LoginFailure; consecutive: number; retryInMs: number }];
  online: [{ transport: "tcp" | "udp"; heartbeatSeconds: number }];
  /** `cause` marks a re-login that no platform answer caused: no free local port for the connection. */
  relogin: [{ reason: string; cause?: "no-local-port" }];
  /** A request sent again with its sequence after the response timeout (5.2). */
  resend: [{ code: McCode; sequence: number; failures: number }];
  frame: [{ direction: "in" | "out"; message: McMessage; at: number; raw?: Uint8Array }];
}

export interface DeviceObserver {
  deviceEvent<K extends keyof DeviceEvents>(device: EmulatedDevice, event: K, arg: DeviceEvents[K][0]): void;
}

export interface DeviceCounters {
  loginAttempts: number;
  loginFailures: number;
  /** Successful logins since power-on: decides UDP or TCP (5.4.2.2). */
  authentications: number;
  connects: number;
  resends: number;
  relogins: number;
}
