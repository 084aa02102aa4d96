import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFleetPlan } from "../emulators/fleet/load-fleet.ts";
import { lanOptions } from "./option-groups.ts";

const defaults = { lan: true, lanHost: "127.0.0.1", lanPorts: "free" as const };
const fromDefaults = () => "default";
const fromCli = (given: string[]) => (option: string) => (given.includes(option) ? "cli" : "default");

describe("the LAN sides of a fleet: the fleet file says, the command line overrides", () => {
  it("takes the fleet file's lan section when no flag is given", () => {
    expect(
      lanOptions.merge(defaults, { enabled: true, host: "127.0.1.1", ports: "standard" }, fromDefaults),
    ).toEqual({
      lan: true,
      lanHost: "127.0.1.1",
      lanPorts: "standard",
    });
    expect(lanOptions.merge(defaults, { enabled: false }, fromDefaults).lan).toBe(false);
    expect(lanOptions.merge(defaults, undefined, fromDefaults)).toEqual(defaults);
  });

  it("lets a flag given on the command line win over the file", () => {
    const cli = { lan: true, lanHost: "127.0.2.1", lanPorts: "free" as const };
    expect(
      lanOptions.merge(
        cli,
        { enabled: true, host: "127.0.1.1", ports: "standard" },
        fromCli(["lanHost", "lanPorts"]),
      ),
    ).toEqual(cli);
    expect(
      lanOptions.merge({ ...defaults, lan: false }, { enabled: true, ports: "standard" }, fromCli(["lan"]))
        .lan,
    ).toBe(false);
  });

  it("reads a fleet file's lan section, and names a bad one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-lan-"));
    const good = join(dir, "good.json");
    await writeFile(
      good,
      JSON.stringify({
        devices: [{ profile: "air-conditioner", count: 1 }],
        lan: { host: "127.0.1.1", ports: "standard" },
      }),
    );
    expect((await loadFleetPlan(good)).lan).toEqual({ enabled: true, host: "127.0.1.1", ports: "standard" });
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ devices: [], lan: { ports: "fixed" } }));
    await expect(loadFleetPlan(bad)).rejects.toThrow(/lan\.ports/);
  });
});
