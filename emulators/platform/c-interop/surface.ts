import { join } from "node:path";
import { UsageError } from "../../../harness/errors.ts";
import { loadTlsMaterial, type TlsMaterial } from "../../../harness/tls/tls-material.ts";
import { ThirdPartyClient } from "../../interop/third-party-client.ts";
import { tlsTransport } from "../../interop/transport.ts";
import { PKI_FILES } from "../c-notify/tls.ts";
import type { PlatformContext } from "../context.ts";
import type { InteropTls, PlatformOptions, ThirdPartyOptions } from "../platform-options.ts";
import type { StartedSurface, Surface } from "../surface.ts";
import { ThirdPartyOperations } from "./third-party-operations.ts";

const NAME = "c-interop";
/** 7.3.2 gives no time limit: hilfarm waits as long as for a device's answer (5.2). */
export const DEFAULT_THIRD_PARTY_TIMEOUT_MS = 10_000;

function thirdPartyOf(options: PlatformOptions): ThirdPartyOptions {
  const thirdParty = options.interop?.thirdParty;
  if (thirdParty === undefined)
    throw new UsageError("third-party-url", `the ${NAME} surface needs --third-party-url`);
  return thirdParty;
}

function checkThirdParty(options: PlatformOptions): void {
  const { url, cloudId, cloudKey, timeoutMs } = thirdPartyOf(options);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      "third-party-url",
      `--third-party-url: expected https://host:port, got ${JSON.stringify(url)}`,
    );
  }
  if (parsed.protocol !== "https:")
    throw new UsageError(
      "third-party-url",
      `--third-party-url: C runs over HTTPS with mutual TLS (7.1.2), got ${JSON.stringify(url)}`,
    );
  if (cloudId === "")
    throw new UsageError("third-party-cloud-id", "--third-party-cloud-id must not be empty");
  if (cloudKey === "")
    throw new UsageError("third-party-cloud-key", "--third-party-cloud-key must not be empty");
  if (timeoutMs !== undefined && (!Number.isFinite(timeoutMs) || timeoutMs <= 0))
    throw new UsageError(
      "third-party-timeout",
      `--third-party-timeout: expected a positive number of ms, got ${timeoutMs}`,
    );
}

/**
 * The identity the platform presents to the third party (7.1.4, two-way certificates): with a test PKI its client
 * certificate, else the files of `--tls-cert`/`--tls-key` (which must then allow client authentication), trusting
 * the same CA. The c-notify surface, started before, has made the test PKI.
 */
function clientMaterial(tls: InteropTls): Promise<TlsMaterial> {
  if (!("dir" in tls)) return loadTlsMaterial(tls);
  const file = (name: string) => join(tls.dir, name);
  return loadTlsMaterial({
    cert: file(PKI_FILES.clientCert),
    key: file(PKI_FILES.clientKey),
    ca: file(PKI_FILES.ca),
  });
}

/**
 * The smart-home platform as the third-party platform's client (7.2 steps 3 and 4, 7.3.2): binds, controls and
 * queries of the northbound API on a device behind the third party become C22-C31 calls. No listener of its own;
 * listed after c-notify when the options name a third party. Addresses: `thirdParty` (its base URL).
 */
export const cInteropSurface: Surface = {
  name: NAME,
  check: checkThirdParty,
  async start(context: PlatformContext): Promise<StartedSurface> {
    const thirdParty = thirdPartyOf(context.options);
    const interop = context.options.interop;
    if (interop === undefined)
      throw new UsageError("interop", `the ${NAME} surface needs the interop options`);
    const client = new ThirdPartyClient({
      baseUrl: thirdParty.url,
      cloudId: thirdParty.cloudId,
      cloudKey: thirdParty.cloudKey,
      transport: tlsTransport(await clientMaterial(interop.tls)),
      clock: context.clock,
      random: context.random,
      timeoutMs: thirdParty.timeoutMs ?? DEFAULT_THIRD_PARTY_TIMEOUT_MS,
      logger: context.logger.child({ surface: NAME }),
    });
    context.thirdParty = new ThirdPartyOperations({
      client,
      store: context.store,
      presence: context.presence,
      fanout: context.fanout,
      url: thirdParty.url,
    });
    return {
      addresses: { thirdParty: thirdParty.url },
      close: async () => {
        context.thirdParty = undefined;
      },
    };
  },
};
