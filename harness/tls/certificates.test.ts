import { X509Certificate } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki } from "./certificates.ts";
import { runOpenssl } from "./openssl.ts";
import type { TlsError } from "./tls-error.ts";

let dir: string;
let pki: TestPki;
let took: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-pki-test-"));
  const start = performance.now();
  pki = await makeTestPki(join(dir, "pki"), { days: 10, expiredClient: true, otherCa: true });
  took = performance.now() - start;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const x509 = (pem: string) => new X509Certificate(pem);
const DAY_MS = 86_400_000;

describe("makeTestPki: a CA, a server and a client certificate, made with openssl", () => {
  it("writes PEM files with stable names, private keys readable by their owner only", async () => {
    const files = [pki.ca, pki.server, pki.client].flatMap(({ cert, key }) => [cert.path, key.path]);
    expect(files.map((path) => path.slice(dir.length + 1))).toEqual([
      "pki/ca.pem",
      "pki/ca-key.pem",
      "pki/server.pem",
      "pki/server-key.pem",
      "pki/client.pem",
      "pki/client-key.pem",
    ]);
    for (const { key } of [pki.ca, pki.server, pki.client]) {
      expect((await stat(key.path)).mode & 0o777).toBe(0o600);
      expect(key.pem).toContain("-----BEGIN PRIVATE KEY-----");
    }
    expect((await stat(pki.ca.cert.path)).mode & 0o777).toBe(0o644);
    // Small enough to make once per test file.
    expect(took).toBeLessThan(10_000);
  });

  it("a self-signed CA; server and client signed by it, valid for the days asked", () => {
    const ca = x509(pki.ca.cert.pem);
    expect(ca.ca).toBe(true);
    expect(ca.subject).toBe("CN=hilfarm test CA");
    expect(ca.verify(ca.publicKey)).toBe(true);
    for (const { cert } of [pki.server, pki.client]) {
      const leaf = x509(cert.pem);
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
      const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / DAY_MS;
      expect(days).toBe(10);
    }
  });

  it("the server certificate names 127.0.0.1 and localhost (serverAuth); the client's is for clientAuth", () => {
    const server = x509(pki.server.cert.pem);
    expect(server.subjectAltName).toBe("IP Address:127.0.0.1, DNS:localhost");
    expect(server.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(server.checkHost("localhost")).toBe("localhost");
    expect(server.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(x509(pki.client.cert.pem).keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(x509(pki.client.cert.pem).subject).toBe("CN=hilfarm test client");
  });

  it("an expired client certificate of the same CA: its validity ended yesterday", () => {
    const expired = pki.expiredClient;
    expect(expired?.cert.path).toBe(join(dir, "pki", "expired-client.pem"));
    const cert = x509(expired?.cert.pem ?? "");
    expect(cert.checkIssued(x509(pki.ca.cert.pem))).toBe(true);
    expect(Date.parse(cert.validTo)).toBeLessThan(Date.now() - DAY_MS / 2);
    expect(Date.parse(cert.validFrom)).toBeLessThan(Date.parse(cert.validTo));
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
  });

  it("a second CA, unrelated to the first, with its own server and client", () => {
    const other = pki.otherCa;
    if (other === undefined) throw new Error("no other CA");
    expect(other.ca.cert.path).toBe(join(dir, "pki", "other-ca.pem"));
    const ca = x509(pki.ca.cert.pem);
    const otherCa = x509(other.ca.cert.pem);
    expect(otherCa.fingerprint256).not.toBe(ca.fingerprint256);
    for (const { cert } of [other.server, other.client]) {
      expect(x509(cert.pem).verify(otherCa.publicKey)).toBe(true);
      expect(x509(cert.pem).verify(ca.publicKey)).toBe(false);
    }
  });

  it("RSA 2048 keys and other names on request", async () => {
    const rsa = await makeTestPki(join(dir, "rsa"), {
      keyType: "rsa-2048",
      caName: "lab CA / bench 2",
      serverName: "platform.lab",
      serverHosts: ["platform.lab", "10.0.0.5"],
    });
    expect(x509(rsa.ca.cert.pem).subject).toBe("CN=lab CA / bench 2");
    expect(x509(rsa.server.cert.pem).publicKey.asymmetricKeyType).toBe("rsa");
    expect(x509(rsa.server.cert.pem).subjectAltName).toBe("DNS:platform.lab, IP Address:10.0.0.5");
    expect(rsa.expiredClient).toBeUndefined();
    expect(rsa.otherCa).toBeUndefined();
  });
});

describe("makeTestPki: what it says when openssl is missing or fails", () => {
  it("a missing binary is TLS_OPENSSL naming the command", async () => {
    const made = makeTestPki(join(dir, "none"), { openssl: "/nonexistent/openssl" });
    await expect(made).rejects.toMatchObject({ name: "TlsError", code: "TLS_OPENSSL" });
    await expect(made).rejects.toThrow(/\/nonexistent\/openssl genpkey .*not found/);
  });

  it("a failing command is TLS_OPENSSL with the command line and openssl's stderr", async () => {
    const run = runOpenssl({ binary: "openssl", args: ["genpkey", "-algorithm", "NO-SUCH-ALGORITHM"] });
    const error = await run.then(
      () => undefined,
      (e: unknown) => e as TlsError,
    );
    expect(error).toMatchObject({ name: "TlsError", code: "TLS_OPENSSL" });
    expect(error?.message).toMatch(
      /^openssl failed \(exit status \d+\): openssl genpkey -algorithm NO-SUCH-ALGORITHM\n/,
    );
    expect(error?.reason).toMatch(/NO-SUCH-ALGORITHM/);
  });

  it("options are checked before openssl runs", async () => {
    await expect(makeTestPki(join(dir, "days"), { days: 0 })).rejects.toMatchObject({
      code: "USAGE",
      field: "days",
    });
    await expect(makeTestPki(join(dir, "cn"), { clientName: "a\nb" })).rejects.toMatchObject({
      code: "USAGE",
      field: "clientName",
    });
  });
});
