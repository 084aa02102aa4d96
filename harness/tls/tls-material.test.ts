import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki, tlsPaths } from "./certificates.ts";
import { describeCertificate, loadTlsMaterial, type TlsPaths } from "./tls-material.ts";

let dir: string;
let pki: TestPki;
let good: TlsPaths;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hilfarm-tls-material-"));
  pki = await makeTestPki(dir);
  good = tlsPaths(pki.client, pki.ca);
  await writeFile(join(dir, "notes.txt"), "not a certificate\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The UsageError a load gives, with its option and message. */
async function refused(paths: TlsPaths): Promise<{ code: string; field: string; message: string }> {
  const error = await loadTlsMaterial(paths).then(
    () => undefined,
    (e: unknown) => e as { code: string; field: string; message: string },
  );
  if (error === undefined) throw new Error("the material loaded");
  return error;
}

describe("loadTlsMaterial: --tls-cert, --tls-key, --tls-ca", () => {
  it("loads a certificate, its key and the CA, and checks they belong together", async () => {
    const material = await loadTlsMaterial(good);
    expect(material.cert).toBe(pki.client.cert.pem);
    expect(material.ca).toBe(pki.ca.cert.pem);
    expect(material.key).toBe(pki.client.key.pem);
    expect(material.certificate.subject).toBe("CN=hilfarm test client");
    expect(material.authorities.map((ca) => ca.subject)).toEqual(["CN=hilfarm test CA"]);
    expect(material.paths).toEqual(good);
  });

  it("never shows the private key when logged, inspected or serialised", async () => {
    const material = await loadTlsMaterial(good);
    expect(Object.keys(material)).not.toContain("key");
    expect(JSON.stringify(material)).not.toContain("PRIVATE KEY");
    expect(inspect(material, { depth: 5 })).not.toContain("PRIVATE KEY");
    expect({ ...material }).not.toHaveProperty("key");
  });

  it("takes a CA file holding several certificates", async () => {
    const other = await makeTestPki(join(dir, "second"));
    const bundle = join(dir, "bundle.pem");
    await writeFile(bundle, `${pki.ca.cert.pem}${other.ca.cert.pem}`);
    const material = await loadTlsMaterial({ ...good, ca: bundle });
    expect(material.authorities).toHaveLength(2);
  });

  it.each([
    ["cert", "--tls-cert", /no such file/],
    ["key", "--tls-key", /no such file/],
    ["ca", "--tls-ca", /no such file/],
  ] as const)("a missing %s file names %s and the path", async (which, option, problem) => {
    const path = join(dir, "missing.pem");
    const error = await refused({ ...good, [which]: path });
    expect(error).toMatchObject({ code: "USAGE", field: option });
    expect(error.message).toContain(`${option} ${path}`);
    expect(error.message).toMatch(problem);
  });

  it.each([
    ["cert", "--tls-cert"],
    ["key", "--tls-key"],
    ["ca", "--tls-ca"],
  ] as const)("a %s file that is not PEM names %s and the path", async (which, option) => {
    const path = join(dir, "notes.txt");
    const error = await refused({ ...good, [which]: path });
    expect(error).toMatchObject({ code: "USAGE", field: option });
    expect(error.message).toContain(`${option} ${path}: not a PEM`);
  });

  it("a certificate block that does not parse is named by its position", async () => {
    const path = join(dir, "broken.pem");
    await writeFile(path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    const error = await refused({ ...good, ca: path });
    expect(error).toMatchObject({ code: "USAGE", field: "--tls-ca" });
    expect(error.message).toContain(`--tls-ca ${path}: certificate 1 does not parse`);
  });

  it("a key that is not the certificate's names --tls-key, its path and the certificate's", async () => {
    const error = await refused({ ...good, key: pki.server.key.path });
    expect(error).toMatchObject({ code: "USAGE", field: "--tls-key" });
    expect(error.message).toBe(
      `--tls-key ${pki.server.key.path}: not the private key of the certificate in ${pki.client.cert.path}`,
    );
    expect(error.message).not.toContain("PRIVATE KEY");
  });

  it("a certificate given as the key names --tls-key", async () => {
    const error = await refused({ ...good, key: pki.client.cert.path });
    expect(error).toMatchObject({ code: "USAGE", field: "--tls-key" });
    expect(error.message).toContain(`--tls-key ${pki.client.cert.path}: not a PEM private key`);
  });
});

describe("describeCertificate: for ready lines and reports", () => {
  it("gives subject, issuer, names, validity in ISO form and the SHA-256 fingerprint", async () => {
    const described = describeCertificate(pki.server.cert.pem);
    expect(described).toEqual({
      subject: "CN=hilfarm test server",
      issuer: "CN=hilfarm test CA",
      subjectAltName: "IP Address:127.0.0.1, DNS:localhost",
      validFrom: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      validTo: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/),
      fingerprint256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
    });
    expect(Date.parse(described.validTo) - Date.parse(described.validFrom)).toBe(30 * 86_400_000);
    const material = await loadTlsMaterial(tlsPaths(pki.server, pki.ca));
    expect(describeCertificate(material.certificate)).toEqual(described);
  });
});
