import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import {
  FREE_PORTS,
  killAll,
  type RunningProcess,
  startHilfarm,
  startNode,
} from "../harness/testing/child-process.ts";

// The independent third-party peer (examples/clients/c-third-party.mjs, written from chapter 7 alone) against
// `hilfarm platform`'s C11-C18 surface, both as separate processes over mutual TLS.
const PLATFORM_ID = "tp-lab";
const PLATFORM_KEY = "k3y-lab-peer";
const dirs: string[] = [];

afterEach(() => {
  killAll();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface CNotify {
  https: string;
  clientCert: string;
}

async function startPlatform(): Promise<{ http: string; notify: CNotify }> {
  const tlsDir = mkdtempSync(join(tmpdir(), "hilfarm-c-peer-"));
  dirs.push(tlsDir);
  // The done-means of chapter 7: the certificate is the one `hilfarm up` prints.
  const platform = startHilfarm([
    "up",
    "--fleet",
    "examples/fleet.json",
    "--no-lan",
    ...FREE_PORTS,
    "--no-mqtt",
    "--interop-platform-id",
    PLATFORM_ID,
    "--interop-platform-key",
    PLATFORM_KEY,
    "--interop-port",
    "0",
    "--tls-dir",
    tlsDir,
  ]);
  const ready = await platform.until("ready");
  const surfaces = ready.surfaces as Record<string, CNotify>;
  const notify = surfaces["c-notify"];
  if (!notify) throw new Error(`no c-notify surface in ${JSON.stringify(ready)}`);
  return { http: ready.http as string, notify };
}

/** Every JSON line the peer prints, and its exit code. */
async function finish(
  peer: RunningProcess,
): Promise<{ lines: Record<string, unknown>[]; code: number | null }> {
  const lines: Record<string, unknown>[] = [];
  for (;;) {
    try {
      lines.push(await peer.next());
    } catch {
      break;
    }
  }
  return { lines, code: await peer.exited };
}

const peerArgs = (notify: CNotify, withCert: boolean): string[] => {
  const pki = dirname(notify.clientCert);
  return [
    "examples/clients/c-third-party.mjs",
    "--url",
    notify.https,
    "--ca",
    join(pki, "ca.pem"),
    ...(withCert ? ["--cert", notify.clientCert, "--key", join(pki, "client-key.pem")] : []),
    "--platform-id",
    PLATFORM_ID,
    "--platform-key",
    PLATFORM_KEY,
    "--device",
    "TP-1",
    "--gateway",
    "GW-1",
  ];
};

describe("the independent third-party peer against hilfarm up (C11-C18)", () => {
  it("gets a token, reports through every interface, shows its devices as third-party, and needs a certificate", async () => {
    const { http, notify } = await startPlatform();
    const { lines, code } = await finish(startNode(peerArgs(notify, true)));

    expect(lines.filter((l) => l.event === "error")).toEqual([]);
    expect(lines[0]).toMatchObject({ event: "token", code: 0 });
    expect(Object.keys(lines[0] ?? {}).sort()).toEqual(["code", "desc", "event", "expiredAt"]);
    const called = lines.filter((l) => l.event === "called");
    expect(called.map((l) => l.interface)).toEqual(["C15", "C15", "C13", "C16", "C17", "C18", "C14", "C12"]);
    for (const line of called) expect(line.code).toBe(0);
    expect(code).toBe(0);

    const devices = (await (await fetch(`${http}/api/devices`)).json()) as Record<string, unknown>[];
    const byId = new Map(devices.map((d) => [d.deviceId, d]));
    expect(byId.get("TP-1")).toMatchObject({ via: "third-party", model: "TP-SENSOR-01" });
    expect(byId.get("GW-1")).toMatchObject({ via: "third-party", model: "TP-GATEWAY-01" });

    // The same platform, the same peer, no client certificate: refused in the handshake, before any HTTP.
    const refused = await finish(startNode(peerArgs(notify, false)));
    expect(refused.lines).toHaveLength(1);
    expect(refused.lines[0]).toMatchObject({ event: "tls-refused", interface: "C11" });
    expect(refused.code).toBe(1);
  });
});
