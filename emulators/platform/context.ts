import type { Logger } from "pino";
import type { Clock } from "../../harness/clock/clock.ts";
import type { Fanout } from "./fanout/index.ts";
import type { PlatformTiming } from "./options.ts";
import type { Registry } from "./registry/index.ts";
import type { StateStore } from "./state-store.ts";
import type { Recognizer, Synthesizer } from "./voice.ts";

/** What the business handlers work with. */
export interface PlatformContext {
  clock: Clock;
  timing: PlatformTiming;
  registry: Registry;
  store: StateStore;
  fanout: Fanout;
  logger: Logger;
  recognizer: Recognizer;
  synthesizer: Synthesizer;
  /** Called after every state report stored, so the northbound API can wait for the one a control causes. */
  onStateReport: (deviceId: string) => void;
}
