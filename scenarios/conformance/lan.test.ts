import { afterEach, describe, expect, it } from "vitest";
import { startLanSide } from "../../emulators/device/lan/lan-side.ts";
import type { Misbehaviour } from "../../emulators/device/misbehaviour.ts";
import { startWorld } from "../../emulators/testing/world.ts";
import { seededRandom } from "../../harness/random/random.ts";
import { testEvidence } from "../support/test-evidence.ts";
import { reportSimulatedTime } from "../support/time-report.ts";
import { type LanTarget, lanTarget, mcFromPlatform, platformCredentials } from "../target/lan-target.ts";
import { type ClauseResult, runClauses } from "./clause.ts";
import { lanClauses } from "./lan-clauses.ts";

const time = reportSimulatedTime("conformance: device LAN side (Md)");
let open: LanTarget | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

const line = (r: ClauseResult) => `${r.status} ${r.clause} ${r.title}${r.detail ? `: ${r.detail}` : ""}`;
const named = (r: ClauseResult) => `${r.clause} ${r.title}`;

/**
 * An emulated air conditioner online at hilfarm's platform on virtual time, its LAN side on 127.0.0.1 free ports, and
 * the LAN target over it: lanKeys from the platform's API, Mc state from the platform's store.
 */
async function emulatedLanTarget(misbehaviour: Partial<Misbehaviour> = {}): Promise<LanTarget> {
  const world = await startWorld({
    fleet: { devices: [{ profile: "air-conditioner", count: 1, misbehaviour }] },
    evidence: testEvidence,
  });
  time.track(world.clock);
  world.fleet.powerOn();
  const device = world.device("air-conditioner");
  const planned = world.plan.devices[0];
  if (planned === undefined) throw new Error("no device planned");
  await world.clock.runUntil(() => world.platform.store.get(device.deviceId)?.version.device !== undefined);
  const lan = await startLanSide(device, {
    clock: world.clock,
    random: seededRandom(3),
    pin: planned.pin,
    host: "127.0.0.1",
    discoveryPort: 0,
    controlPort: 0,
  });
  open = lanTarget({
    deviceId: device.deviceId,
    model: "CT-AC-01",
    discovery: lan.discovery,
    control: lan.control,
    credentials: platformCredentials(world.platform.addresses.http, device.deviceId),
    clock: world.clock,
    random: seededRandom(4),
    mc: mcFromPlatform(world.platform),
    close: async () => {
      await lan.close();
      await world.close();
    },
  });
  return open;
}

const DECODE = "6.2.1 the answer decodes as data_response";
const PROTOCOL = "6.2.1 protocol is 0";
const BIND_KEY = "6.2.1 bindKey is 0 while onConfig is 0";
const ON_CONFIG = "6.2.1 onConfig is 1 only within 120 s";
const BAD_KEY = "6.2.2 auth with a wrong lanKey";
const EXPIRY = "6.2.2 the lanKey expires after liveTime";
const QUERY_MID = "6.2.3 a query is answered by a resp with the query's mid";
const OPT_MID = "6.2.4 an opt is answered by a post with the opt's mid";
const REFUSED = "6.2.4 an opt on a read-only or unknown attribute";
const POSTED = "6.2.5 a change made by another client is posted";

describe("the LAN (Md) suite for a device under test", () => {
  it("passes every clause for an emulated device, on virtual time", async () => {
    const target = await emulatedLanTarget();
    const results = await runClauses(target, lanClauses);
    expect(results.filter((r) => r.status !== "pass").map(line)).toEqual([]);
    expect(results.map((r) => r.clause)).toEqual([
      ...["6.2.1", "6.2.1", "6.2.1", "6.2.1", "6.2.1", "6.2.1", "6.2.1"],
      ...["6.2.2", "6.2.2", "6.2.2", "6.2.3", "6.2.3", "6.2.4", "6.2.4", "6.2.5", "6.2.6"],
      "6.2.4, 5.4.3.3",
    ]);
  });

  it.each<[keyof Misbehaviour, string[]]>([
    ["lanWrongLength", [DECODE, PROTOCOL, BIND_KEY, ON_CONFIG]],
    ["lanAcceptBadKey", [BAD_KEY]],
    ["lanIgnoreLiveTime", [EXPIRY]],
    ["lanWrongMid", [QUERY_MID, OPT_MID, REFUSED]],
    ["lanNoPosts", [POSTED]],
  ])("%s fails the clause that catches it, naming what it saw", async (name, failing) => {
    const target = await emulatedLanTarget({ [name]: true });
    const results = await runClauses(target, lanClauses);
    const failed = results.filter((r) => r.status === "fail");
    expect(failed.map(named).map((n) => failing.find((f) => n.startsWith(f)) ?? n)).toEqual(failing);
    for (const r of failed) expect(r.detail, named(r)).toMatch(/^expected .+; saw .+/);
    expect(results.filter((r) => r.status === "not-applicable").map(line)).toEqual([]);
  });

  it("reports the onConfig window not applicable when the suite cannot move time, with what the device says", async () => {
    const emulated = await emulatedLanTarget();
    const onConfig = lanClauses.find((c) => c.title.startsWith("onConfig is 1 only"));
    if (onConfig === undefined) throw new Error("no onConfig clause");
    // The same device as a bench device is seen: the suite waits on the clock but may not move it past a window.
    const bench = lanTarget({
      deviceId: emulated.deviceId,
      model: emulated.model,
      discovery: emulated.discovery,
      control: emulated.control,
      credentials: emulated.credentials,
      clock: emulated.clock,
      virtualTime: false,
    });
    expect(bench.capabilities.has("virtual-time")).toBe(false);
    const [result] = await runClauses(bench, [onConfig]);
    expect(result).toMatchObject({
      status: "not-applicable",
      detail: expect.stringMatching(
        /^needs virtual time to pass the 120 s window; the device says onConfig 1, bindKey [1-9]\d*$/,
      ),
    });
  });
});
