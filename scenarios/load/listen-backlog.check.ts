import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../emulators/platform/platform.ts";
import { startTestPlatform } from "../../emulators/platform/testing/fixtures.ts";
import { RealClock } from "../../harness/clock/real-clock.ts";

/**
 * A fleet ramping at thousands of logins a second reaches the login server faster than one event-loop turn accepts
 * them. The kernel queues connections up to the listener's backlog and drops the SYNs past it; each dropped device
 * then waits 1, 3 or 7 s for its SYN to be resent, and a load report shows that wait as login time. Here the
 * platform's event loop is held (spawnSync) while another process opens more connections than Node's default
 * backlog (511) holds: every one of them must complete its handshake within 900 ms, before the first resent SYN (1 s).
 */
const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8"));
const CONNECTIONS = Math.min(2000, somaxconn - 100);

const OPENER = `
const net = require("node:net");
const [port, count] = process.argv.slice(1).map(Number);
let connected = 0;
const sockets = [];
for (let i = 0; i < count; i++) {
  const s = net.connect(port, "127.0.0.1", () => { connected++; if (connected === count) done(); });
  s.on("error", () => {});
  sockets.push(s);
}
const timer = setTimeout(done, 900);
function done() { clearTimeout(timer); process.stdout.write(String(connected)); process.exit(0); }
`;

describe("the login server's listen backlog", () => {
  let platform: Platform;
  beforeAll(async () => {
    platform = await startTestPlatform(new RealClock());
  });
  afterAll(() => platform.close());

  it(`queues ${CONNECTIONS} connections that arrive while its event loop is busy`, () => {
    if (CONNECTIONS <= 600)
      throw new Error(
        `net.core.somaxconn is ${somaxconn} on this machine: too small to tell a raised backlog from Node's default 511`,
      );
    const port = Number(platform.addresses.login.split(":").at(-1));
    const opened = spawnSync(process.execPath, ["-e", OPENER, String(port), String(CONNECTIONS)], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(opened.status, opened.stderr).toBe(0);
    expect(Number(opened.stdout)).toBe(CONNECTIONS);
  });
});
