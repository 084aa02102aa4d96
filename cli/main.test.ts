import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { commandModules, commandModulesFor, main } from "./main.ts";
import { bufferIo } from "./testing/buffer-io.ts";

const neverStops = () => new Promise<string>(() => undefined);

/** The top-level commands `module` adds to a program of its own. */
async function namesAddedBy(module: (typeof commandModules)[number]): Promise<string[]> {
  const program = new Command("hilfarm");
  await module.add({ program, io: bufferIo().io, setExitCode: () => undefined, waitForStop: neverStops });
  return program.commands.map((c) => c.name());
}

describe("hilfarm's command modules", () => {
  it("each adds exactly the commands its entry names, and no two name the same command", async () => {
    for (const module of commandModules) expect(await namesAddedBy(module)).toEqual(module.names);
    const all = commandModules.flatMap((m) => m.names);
    expect(new Set(all).size).toBe(all.length);
  });

  it("a command loads its own module only", () => {
    const only = (argv: string[]) => commandModulesFor(argv).flatMap((m) => m.names);
    expect(only(["worker", "--broker", "mqtt://127.0.0.1:1883"])).toEqual(["worker"]);
    expect(only(["frame", "decode", "-"])).toEqual(["frame"]);
    expect(only(["devices", "--fleet", "f.json"])).toEqual(["up", "devices", "registry"]);
  });

  it("help, the version, no command and an unknown one load every module", () => {
    const all = commandModules.length;
    for (const argv of [
      [],
      ["--help"],
      ["--help", "worker"],
      ["-V"],
      ["help", "worker"],
      ["nosuch"],
      ["worke"],
    ])
      expect(commandModulesFor(argv)).toHaveLength(all);
  });

  it("help lists every command, and an unknown command is still a usage error", async () => {
    const help = bufferIo();
    let out = "";
    help.io.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    expect(await main(["--help"], help.io, neverStops)).toBe(0);
    for (const name of commandModules.flatMap((m) => m.names))
      expect(out).toMatch(new RegExp(`\\n  ${name}\\b`));

    const unknown = bufferIo();
    expect(await main(["worke"], unknown.io, neverStops)).toBe(2);
    expect(unknown.stderr()).toMatch(/unknown command 'worke'\n\(Did you mean worker\?\)/);
  });
});
