import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFleetFile } from "../emulators/fleet/fleet-file.ts";
import type { PlatformAddresses } from "../emulators/platform/platform.ts";
import type { InteropOptions, InteropTls } from "../emulators/platform/platform-options.ts";
import { loadProfiles } from "../emulators/profiles/load.ts";
import { startThirdPartyPlatform } from "../emulators/third-party/index.ts";
import { RealClock } from "../harness/clock/real-clock.ts";
import type { Logger } from "../harness/log/index.ts";
import { cryptoRandom } from "../harness/random/random.ts";
import { type InteropCommandOptions, interopOptions } from "./option-groups.ts";
import { thirdPartyReady } from "./third-party-command.ts";

/** The emulated third party `hilfarm up` runs beside the reference platform. */
export interface UpThirdParty {
  /** The platform's `interop` section: C11-C18 served, C21-C31 called on the emulated third party. */
  interop(options: InteropCommandOptions, host: string): { interop?: InteropOptions };
  /** Points the third party's reports (C11-C18) at the started platform. */
  connect(addresses: PlatformAddresses): Promise<void>;
  /** What the ready line says of it, under `thirdParty`. */
  ready(): Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Starts the fleet file's `thirdParty` section, if it has one: on the PKI of `--tls-cert/--tls-key/--tls-ca`, or the
 * test PKI of `--tls-dir` (a new directory under the system's temporary one without it), which the platform then
 * shares. The platform's interop credentials are `--interop-platform-id/-key`, else the section's.
 */
export async function startUpThirdParty(
  fleet: string,
  options: InteropCommandOptions,
  logger: Logger,
): Promise<UpThirdParty | undefined> {
  const file = await loadFleetFile(fleet);
  const section = file.thirdParty;
  if (section === undefined) return undefined;
  const { tlsCert: cert, tlsKey: key, tlsCa: ca } = options;
  const files = cert !== undefined && key !== undefined && ca !== undefined;
  const tlsDir = files ? undefined : (options.tlsDir ?? (await mkdtemp(join(tmpdir(), "hilfarm-pki-"))));
  const tls: InteropTls = tlsDir === undefined ? ({ cert, key, ca } as InteropTls) : { dir: tlsDir };
  const platformId = options.interopPlatformId ?? section.platformId;
  const platformKey = options.interopPlatformKey ?? section.platformKey;
  const tp = await startThirdPartyPlatform({
    ...section,
    tls,
    clock: new RealClock(),
    random: cryptoRandom(),
    logger,
    profiles: await loadProfiles(file.profiles),
    misbehaviour: section.misbehaviour ?? {},
  });
  return {
    interop: (o, host) =>
      interopOptions.platform(
        {
          ...o,
          interopPlatformId: platformId,
          interopPlatformKey: platformKey,
          ...(tlsDir === undefined ? {} : { tlsDir }),
          thirdPartyUrl: tp.url,
          thirdPartyCloudId: section.cloudId,
          thirdPartyCloudKey: section.cloudKey,
        },
        host,
      ),
    connect: async (addresses) => {
      const url = addresses.surfaces["c-notify"]?.https;
      if (url === undefined) throw new Error("the platform started without its c-notify surface");
      await tp.setSmartHome({ url, platformId, platformKey });
    },
    ready: () => ({ thirdParty: thirdPartyReady(tp) }),
    close: () => tp.close(),
  };
}
