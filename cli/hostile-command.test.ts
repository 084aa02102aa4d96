import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runCli } from "./testing/cli-run.ts";

const hilfarm = runCli;

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("hilfarm hostile", () => {
  it("runs the API clauses against hilfarm's platform in process, one JSON line each and a summary, exit 0", async () => {
    const run = await hilfarm([
      "hostile",
      "--platform",
      "emulated",
      "--api-token",
      "cli-test-token",
      "--only",
      "H4",
    ]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const clauses = run.lines.filter((l) => l.event === "clause");
    expect(clauses.map((l) => [l.clause, l.status])).toEqual([
      ["H4.1", "pass"],
      ["H4.2", "pass"],
      ["H4.3", "pass"],
      ["H4.4", "pass"],
      ["H4.5", "pass"],
    ]);
    expect(run.lines.at(-1)).toMatchObject({ event: "summary", passed: 5, failed: 0, notApplicable: 0 });
  });

  it("exits 1 when a clause fails (no platform at the address), saying what it expected and saw", async () => {
    const port = await closedPort();
    const run = await hilfarm([
      "hostile",
      "--platform",
      `tcp://127.0.0.1:${port}`,
      "--registry",
      "examples/registry/lab.json",
      "--only",
      "H1.1",
    ]);
    expect(run.code).toBe(1);
    expect(run.lines[0]).toMatchObject({ event: "clause", clause: "H1.1", status: "fail" });
    expect(String(run.lines[0]?.detail)).toMatch(/ECONNREFUSED/);
    expect(run.lines.at(-1)).toMatchObject({ event: "summary", failed: 1 });
  });

  it("runs H8 against a push receiver and H9 against an open API, named by URL or `emulated`", async () => {
    const receiver = await hilfarm(["hostile", "--push-receiver", "emulated", "--only", "H8.1"]);
    expect(receiver.stderr).toBe("");
    expect(receiver.lines.map((l) => [l.event, l.clause ?? l.passed])).toEqual([
      ["clause", "H8.1"],
      ["summary", 1],
    ]);
    const api = await hilfarm(["hostile", "--aqara-api", "emulated", "--only", "H9.2"]);
    expect(api.stderr).toBe("");
    expect(api.code).toBe(0);
    expect(api.lines.at(-1)).toMatchObject({ event: "summary", passed: 1, failed: 0 });
  });

  it("exits 1 on a push receiver that is not there, naming the clause", async () => {
    const port = await closedPort();
    const run = await hilfarm(["hostile", "--push-receiver", `http://127.0.0.1:${port}/`, "--only", "H8.1"]);
    expect(run.code).toBe(1);
    expect(run.lines[0]).toMatchObject({ event: "clause", clause: "H8.1", status: "fail" });
  });

  it.each([
    [["hostile", "--platform", "tcp://127.0.0.1:8700"], /--registry/],
    [["hostile", "--platform", "udp://somewhere"], /a target is emulated/],
    [["hostile", "--platform", "emulated", "--flood", "lots"], /flood/],
    [
      ["hostile", "--platform", "emulated", "--login-from", "not-an-address"],
      /--login-from must be an IP address/,
    ],
    [["hostile", "--platform", "emulated", "--api", "ftp://x"], /--api must be http:\/\/host:port/],
    [["hostile", "--platform", "emulated", "--only", "H9"], /--only "H9" matches no clause/],
    [["hostile"], /name what to attack: --platform, --lock-api, --push-receiver, --aqara-api/],
    [["hostile", "--platform", "emulated", "--aqara-api", "emulated"], /one target at a time/],
    [["hostile", "--lock-api", "http://127.0.0.1:1"], /--lock-api-client-id is required/],
    [["hostile", "--push-receiver", "ftp://x"], /--push-receiver must be http\(s\):\/\/host:port\/path/],
    [
      ["hostile", "--push-receiver", "http://127.0.0.1:1/", "--push-app-key", "k"],
      /needs both --push-app-key and HILFARM_PUSH_APP_SECRET \(--push-app-secret\)/,
    ],
    [["hostile", "--aqara-api", "emulated", "--only", "H7"], /--only "H7" matches no clause \(H9.1-H9.6\)/],
  ])("exits 2 on a usage error: %j", async (args, message) => {
    const run = await hilfarm(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
