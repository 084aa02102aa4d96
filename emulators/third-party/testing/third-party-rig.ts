import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { VirtualClock } from "../../../harness/clock/virtual-clock.ts";
import { cInterfaceAt } from "../../../harness/protocol/c/interfaces.ts";
import { seededRandom } from "../../../harness/random/random.ts";
import type { ClientMaterial } from "../../../harness/tls/mutual-tls.ts";
import { ThirdPartyClient } from "../../interop/third-party-client.ts";
import { type CTransport, tlsTransport } from "../../interop/transport.ts";
import { startThirdPartyPlatform, type ThirdPartyOptions, type ThirdPartyPlatform } from "../third-party.ts";

export const CLOUD_ID = "hilfarm-smart-home-cloud";
export const CLOUD_KEY = "cl0ud-k3y-exchanged-offline";
export const LIFETIME_MS = 60_000;
export const TIMEOUT_MS = 2_000;

/** A lock, a 3-gang switch, and a gateway with two Zigbee switches. */
export const FLEET = {
  devices: [
    { profile: "smart-lock", count: 1 },
    { profile: "three-gang-switch", count: 1 },
  ],
  gateways: [{ profile: "zigbee-gateway", count: 1, subDevices: [{ profile: "zigbee-switch", count: 2 }] }],
};
export const LOCK = "TP-smart-lock-0001";
export const SWITCH3 = "TP-three-gang-switch-0001";
export const GW = "TP-zigbee-gateway-0001";
export const SUB = "TP-zigbee-switch-0001";

/** The test PKI's client identity in `dir` (made there by the third party when absent). */
export async function pkiClient(dir: string): Promise<ClientMaterial> {
  const read = (name: string) => readFile(join(dir, name), "utf8");
  return { ca: await read("ca.pem"), cert: await read("client.pem"), key: await read("client-key.pem") };
}

export interface ThirdPartyRig {
  tp: ThirdPartyPlatform;
  client: ThirdPartyClient;
  material: ClientMaterial;
  /** The interfaces the client called, in order (C21 included). */
  calls: string[];
  /** Another client of the same third party, with its own token. */
  newClient(): ThirdPartyClient;
}

/** The emulated third party on a test PKI in `dir`, on 127.0.0.1 port 0, and a `ThirdPartyClient` of it. */
export async function startThirdPartyRig(
  dir: string,
  clock: VirtualClock,
  options: Partial<ThirdPartyOptions> = {},
): Promise<ThirdPartyRig> {
  const tp = await startThirdPartyPlatform({
    cloudId: CLOUD_ID,
    cloudKey: CLOUD_KEY,
    tls: { dir },
    clock,
    random: seededRandom(11),
    tokenLifetimeMs: LIFETIME_MS,
    ...FLEET,
    ...options,
  });
  const material = await pkiClient(dir);
  const calls: string[] = [];
  const tls = tlsTransport(material);
  const recording: CTransport = (url, request) => {
    calls.push(cInterfaceAt(new URL(url).pathname) ?? url);
    return tls(url, request);
  };
  let n = 0;
  const newClient = () =>
    new ThirdPartyClient({
      baseUrl: tp.url,
      cloudId: CLOUD_ID,
      cloudKey: CLOUD_KEY,
      transport: recording,
      clock,
      random: seededRandom(100 + n++),
      timeoutMs: TIMEOUT_MS,
    });
  return { tp, client: newClient(), material, calls, newClient };
}
