import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  FREE_PORTS,
  killAll,
  type RunningProcess,
  startHilfarm,
  startNode,
} from "../../harness/testing/child-process.ts";

/**
 * A receiver written from the seed alone (examples/clients/push-receiver.mjs) against `hilfarm up`'s push sender,
 * both as processes on real time: it verifies the signature of every push a device's state change causes; after it
 * answers abnormally five times in a row it gets no more pushes, until the sender is told to resume.
 */

const SECRET = "peer-receiver-secret";
const dirs: string[] = [];
afterEach(async () => {
  killAll();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The peer's push lines as they come: `next(ms)` is the next one, or undefined when none comes within `ms`. */
function pushLines(peer: RunningProcess) {
  const queue: Array<Record<string, unknown>> = [];
  let wake: (() => void) | undefined;
  void (async () => {
    for (;;) {
      const line = await peer.next().catch(() => undefined);
      if (line === undefined) return;
      if (line.event === "push") queue.push(line);
      wake?.();
    }
  })();
  return {
    async next(ms: number): Promise<Record<string, unknown> | undefined> {
      const deadline = Date.now() + ms;
      while (queue.length === 0) {
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, left);
        });
        clearTimeout(timer);
      }
      return queue.shift();
    },
  };
}

describe("examples/clients/push-receiver.mjs against hilfarm up's push sender", () => {
  it("verifies every push; after five abnormal answers gets none until the sender is told to resume", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hilfarm-push-peer-"));
    dirs.push(dir);
    const fleet = join(dir, "fleet.json");
    await writeFile(
      fleet,
      JSON.stringify({ seed: 4, devices: [{ profile: "three-gang-switch", count: 1 }] }),
    );
    const peer = startNode(["examples/clients/push-receiver.mjs", "--port", "0", "--app-key", "peer-key"], {
      HILFARM_PUSH_APP_SECRET: SECRET,
    });
    const url = String((await peer.until("ready")).url);
    const pushes = pushLines(peer);
    const up = startHilfarm(
      [
        "up",
        "--fleet",
        fleet,
        "--no-lan",
        "--no-mqtt",
        ...FREE_PORTS,
        "--push-url",
        url,
        "--push-app-key",
        "peer-key",
        "--push-client-id",
        "peer-app",
      ],
      { HILFARM_PUSH_APP_SECRET: SECRET },
    );
    const ready = await up.next();
    await up.until("summary");
    const http = String(ready.http);
    const devices = (await (await fetch(`${http}/api/devices`)).json()) as Array<{ deviceId: string }>;
    const device = devices[0]?.deviceId ?? "";
    let power = 0;
    /** Flips the switch: a state change the sender pushes. */
    const control = () => {
      power = 1 - power;
      return fetch(`${http}/api/devices/${device}/control`, {
        method: "POST",
        body: JSON.stringify({ serialId: "0", cmd: [{ cmdName: "SET_POWER", cmdParam: String(power) }] }),
      });
    };

    // The pushes of the device coming online, then of a control: each verified, with the client id as token.
    const first = await pushes.next(10_000);
    expect(first).toMatchObject({ verified: true, token: "peer-app" });
    await control();
    for (let push = await pushes.next(2_000); push !== undefined; push = await pushes.next(2_000))
      expect(push.verified, JSON.stringify(push)).toBe(true);

    // Abnormal answers: five pushes, then nothing more however the device changes.
    peer.child.stdin.write("abnormal\n");
    let abnormal = 0;
    while (abnormal < 5) {
      await control();
      while ((await pushes.next(2_000)) !== undefined) abnormal++;
    }
    expect(abnormal).toBe(5);
    await control();
    await control();
    expect(await pushes.next(3_000)).toBeUndefined();
    const { receivers } = (await (await fetch(`${http}/api/push/receivers`)).json()) as {
      receivers: Array<{ state: string }>;
    };
    expect(receivers[0]?.state).toBe("suspended");

    // Told to resume: pushes again, verified.
    peer.child.stdin.write("normal\n");
    expect((await fetch(`${http}/api/push/receivers/0/resume`, { method: "POST" })).status).toBe(200);
    await control();
    expect(await pushes.next(10_000)).toMatchObject({ verified: true });
  });
});
