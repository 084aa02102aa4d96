import { deviceUserRequests, deviceUserResponses } from "./examples/device-users.ts";
import { deviceRequests, deviceResponses } from "./examples/devices.ts";
import { homeUserRequests, homeUserResponses } from "./examples/home-users.ts";
import { logRequests, logResponses } from "./examples/logs.ts";
import { mediaRequests, mediaResponses } from "./examples/media.ts";
import { offlinePasswordRequests, offlinePasswordResponses } from "./examples/offline-passwords.ts";
import { remoteUnlockRequests, remoteUnlockResponses } from "./examples/remote-unlock.ts";
import { tempPasswordRequests, tempPasswordResponses } from "./examples/temp-passwords.ts";
import type { RequestExample, ResponseExample } from "./examples/types.ts";
import { unlockMethodRequests, unlockMethodResponses } from "./examples/unlock-methods.ts";

export type { RequestExample, ResponseExample };

/**
 * The seed's examples of each lock-API endpoint, copied from `002_c2fdad2378ea765c.txt` with the line they come from
 * (`//` comments taken out), written by area in `examples/`. `endpoints.test.ts` parses each with its endpoint's
 * schemas; `npm run check:lock-seed` checks each copy against the seed's text at its line. Where the seed has no
 * example, one is written from the endpoint's table (`source: "table"`, `line` is the table's).
 */

export const requestExamples: readonly RequestExample[] = [
  ...deviceUserRequests,
  ...deviceRequests,
  ...homeUserRequests,
  ...logRequests,
  ...mediaRequests,
  ...offlinePasswordRequests,
  ...remoteUnlockRequests,
  ...tempPasswordRequests,
  ...unlockMethodRequests,
];

export const responseExamples: readonly ResponseExample[] = [
  ...deviceUserResponses,
  ...deviceResponses,
  ...homeUserResponses,
  ...logResponses,
  ...mediaResponses,
  ...offlinePasswordResponses,
  ...remoteUnlockResponses,
  ...tempPasswordResponses,
  ...unlockMethodResponses,
];
