import { randomBytes } from "node:crypto";
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors.ts";
import { runOpenssl } from "./openssl.ts";
import {
  type CertificateRole,
  caConfig,
  extensionLines,
  type KeyType,
  keyArgs,
  reqConfig,
  subject,
  utcTime,
} from "./pki-config.ts";
import type { TlsPaths } from "./tls-material.ts";

export interface PemFile {
  readonly path: string;
  readonly pem: string;
}

/** A certificate and its private key, each written to its own file. */
export interface CertifiedKey {
  readonly cert: PemFile;
  readonly key: PemFile;
}

export interface TestPki {
  readonly dir: string;
  /** `ca.pem`, `ca-key.pem`: the test CA, self-signed. */
  readonly ca: CertifiedKey;
  /** `server.pem`, `server-key.pem`: serverAuth, subjectAltName for every server host. */
  readonly server: CertifiedKey;
  /** `client.pem`, `client-key.pem`: clientAuth. */
  readonly client: CertifiedKey;
  /** `expired-client.pem`, `expired-client-key.pem`: a client certificate of the same CA, valid until yesterday. */
  readonly expiredClient: CertifiedKey | undefined;
  /** `other-ca*.pem`, `other-server*.pem`, `other-client*.pem`: a second CA, unrelated to the first, and its leaves. */
  readonly otherCa: { ca: CertifiedKey; server: CertifiedKey; client: CertifiedKey } | undefined;
}

export interface TestPkiOptions {
  /** Validity of every certificate but the expired one, from now (default 30). */
  days?: number;
  /** Default `ec-p256` (fast); `rsa-2048` for a peer that takes RSA only. */
  keyType?: KeyType;
  caName?: string;
  serverName?: string;
  clientName?: string;
  /** The names the server certificate holds, IP or DNS by their form (default `127.0.0.1`, `localhost`). */
  serverHosts?: readonly string[];
  /** Also issue a client certificate whose validity ended yesterday (for tests). */
  expiredClient?: boolean;
  /** Also issue a second, unrelated CA with its own server and client certificates (for tests). */
  otherCa?: boolean;
  /** The openssl binary (default `openssl` from the PATH). */
  openssl?: string;
}

const DEFAULTS = {
  days: 30,
  keyType: "ec-p256",
  caName: "hilfarm test CA",
  serverName: "hilfarm test server",
  clientName: "hilfarm test client",
  serverHosts: ["127.0.0.1", "localhost"],
  expiredClient: false,
  otherCa: false,
  openssl: "openssl",
} as const satisfies Required<TestPkiOptions>;

const DAY_MS = 86_400_000;

/** A random 128-bit serial in hex, its top bits 01 so that it is positive and of full length. */
function serialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x3f) | 0x40;
  return bytes.toString("hex");
}

/** The paths `loadTlsMaterial` takes for one identity that trusts one CA. */
export function tlsPaths(identity: CertifiedKey, trust: CertifiedKey): TlsPaths {
  return { cert: identity.cert.path, key: identity.key.path, ca: trust.cert.path };
}

/**
 * Makes a test PKI in `dir` with the `openssl` binary: a CA, a server and a client certificate signed by it, as PEM
 * files with stable names (private keys mode 0600), and on request an expired client certificate and a second,
 * unrelated CA. Certificates with a validity in the past are issued with `openssl ca -startdate/-enddate`, which
 * every openssl since 1.1 has (`x509 -not_before` needs 3.4).
 */
export async function makeTestPki(dir: string, options: TestPkiOptions = {}): Promise<TestPki> {
  const o = { ...DEFAULTS, ...options };
  if (!Number.isInteger(o.days) || o.days < 1) {
    throw new UsageError("days", `days: a whole number of days, at least 1 (got ${o.days})`);
  }
  if (o.serverHosts.length === 0) throw new UsageError("serverHosts", "serverHosts: at least one host");
  for (const field of ["caName", "serverName", "clientName"] as const) subject(o[field], field);
  await mkdir(dir, { recursive: true });
  const work = await mkdtemp(join(tmpdir(), "hilfarm-pki-"));
  try {
    const issuer = new Issuer(o, dir, work);
    const chain = async (prefix: string) => {
      const ca = await issuer.ca(`${prefix}ca`, prefix === "" ? o.caName : `${o.caName} (other)`);
      const [server, client] = await Promise.all([
        issuer.leaf(ca, "server", `${prefix}server`, o.serverName),
        issuer.leaf(ca, "client", `${prefix}client`, o.clientName),
      ]);
      return { ca, server, client };
    };
    const [main, other] = await Promise.all([chain(""), o.otherCa ? chain("other-") : undefined]);
    const expiredClient = o.expiredClient
      ? await issuer.leaf(main.ca, "client", "expired-client", `${o.clientName} (expired)`, {
          notBefore: new Date(Date.now() - 2 * DAY_MS),
          notAfter: new Date(Date.now() - DAY_MS),
        })
      : undefined;
    return { dir, ...main, expiredClient, otherCa: other };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

interface PastValidity {
  notBefore: Date;
  notAfter: Date;
}

/** Issues keys and certificates into `dir`; config files and CSRs go to `work`. */
class Issuer {
  constructor(
    private readonly o: Required<TestPkiOptions>,
    private readonly dir: string,
    private readonly work: string,
  ) {}

  async ca(base: string, name: string): Promise<CertifiedKey> {
    const key = await this.key(base);
    const config = await this.workFile(
      `${base}-req.cnf`,
      reqConfig(extensionLines("ca", this.o.keyType, [])),
    );
    const cert = await this.openssl(
      ["req", "-new", "-x509", "-config", config, "-extensions", "ext", "-key", key.path, "-sha256"],
      ["-subj", subject(name, "caName"), "-days", String(this.o.days)],
    );
    return { cert: await this.write(`${base}.pem`, cert, false), key };
  }

  async leaf(
    ca: CertifiedKey,
    role: CertificateRole,
    base: string,
    name: string,
    past?: PastValidity,
  ): Promise<CertifiedKey> {
    const key = await this.key(base);
    const extensions = extensionLines(role, this.o.keyType, this.o.serverHosts);
    const reqCnf = await this.workFile(`${base}-req.cnf`, reqConfig([]));
    const csr = await this.openssl(
      ["req", "-new", "-config", reqCnf, "-key", key.path],
      ["-subj", subject(name, `${role}Name`)],
    );
    const cert = past
      ? await this.signInPast(ca, base, csr, extensions, past)
      : await this.openssl(
          ["x509", "-req", "-CA", ca.cert.path, "-CAkey", ca.key.path, "-sha256"],
          [
            "-set_serial",
            `0x${serialHex()}`,
            "-days",
            String(this.o.days),
            "-extfile",
            await this.workFile(`${base}-ext.cnf`, reqConfig(extensions)),
            "-extensions",
            "ext",
          ],
          csr,
        );
    return { cert: await this.write(`${base}.pem`, cert, false), key };
  }

  /** `openssl ca` takes explicit start and end dates, so a certificate can be expired from the start. */
  private async signInPast(
    ca: CertifiedKey,
    base: string,
    csr: string,
    extensions: readonly string[],
    { notBefore, notAfter }: PastValidity,
  ): Promise<string> {
    const db = join(this.work, `${base}-db`);
    await mkdir(db);
    await writeFile(join(db, "index.txt"), "");
    await writeFile(join(db, "serial"), `${serialHex()}\n`);
    const config = await this.workFile(`${base}-ca.cnf`, caConfig(db, extensions));
    const csrFile = await this.workFile(`${base}.csr`, csr);
    return this.openssl(
      ["ca", "-batch", "-notext", "-config", config, "-extensions", "ext", "-cert", ca.cert.path],
      [
        "-keyfile",
        ca.key.path,
        "-in",
        csrFile,
        "-startdate",
        utcTime(notBefore),
        "-enddate",
        utcTime(notAfter),
      ],
    );
  }

  private async key(base: string): Promise<PemFile> {
    return this.write(`${base}-key.pem`, await this.openssl(keyArgs(this.o.keyType), []), true);
  }

  private openssl(args: readonly string[], more: readonly string[], input?: string): Promise<string> {
    return runOpenssl({
      binary: this.o.openssl,
      args: [...args, ...more],
      ...(input === undefined ? {} : { input }),
    });
  }

  private async workFile(name: string, text: string): Promise<string> {
    const path = join(this.work, name);
    await writeFile(path, text);
    return path;
  }

  private async write(name: string, pem: string, secret: boolean): Promise<PemFile> {
    const path = join(this.dir, name);
    await writeFile(path, pem, { mode: secret ? 0o600 : 0o644 });
    // writeFile's mode applies to a new file only; a key left by an earlier run is narrowed too.
    if (secret) await chmod(path, 0o600);
    return { path, pem };
  }
}
