import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.ts";

/** The PEM files of one TLS identity and the CA it trusts (`--tls-cert`, `--tls-key`, `--tls-ca`). */
export interface TlsPaths {
  cert: string;
  key: string;
  ca: string;
}

/** The options a file is given by, in errors. */
export const TLS_OPTIONS = { cert: "--tls-cert", key: "--tls-key", ca: "--tls-ca" } as const;

/**
 * A checked TLS identity: its certificate chain, its private key and the CAs it trusts, as PEM. `key` is not
 * enumerable, so logging, inspecting or serialising the material never prints it.
 */
export interface TlsMaterial {
  /** The certificate, then any intermediates, as read. */
  readonly cert: string;
  readonly key: string;
  /** One or more CA certificates: the peers this side accepts. */
  readonly ca: string;
  readonly certificate: X509Certificate;
  readonly authorities: readonly X509Certificate[];
  readonly paths: TlsPaths;
}

export interface CertificateDescription {
  subject: string;
  issuer: string;
  subjectAltName: string | undefined;
  /** ISO 8601, UTC. */
  validFrom: string;
  validTo: string;
  fingerprint256: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * Reads and checks the PEM files of a TLS identity: each parses, the key is the certificate's. A file that is
 * missing, unreadable or wrong gives a `UsageError` naming the option and the path.
 */
export async function loadTlsMaterial(paths: TlsPaths): Promise<TlsMaterial> {
  const [cert, key, ca] = await Promise.all([
    read("cert", paths.cert),
    read("key", paths.key),
    read("ca", paths.ca),
  ]);
  const certificate = parseCertificates("cert", paths.cert, cert)[0];
  const authorities = parseCertificates("ca", paths.ca, ca);
  if (certificate === undefined) throw bad("cert", paths.cert, "no certificate in it");
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    // The parser's message names the format, never the key's bytes.
    throw bad("key", paths.key, `not a PEM private key (${reason(error)})`);
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw bad("key", paths.key, `not the private key of the certificate in ${paths.cert}`);
  }
  const material: TlsMaterial = { cert, key, ca, certificate, authorities, paths: { ...paths } };
  Object.defineProperty(material, "key", { enumerable: false });
  return material;
}

/** What a ready line or a report says of a certificate (PEM, or one parsed already). */
export function describeCertificate(pem: string | X509Certificate): CertificateDescription {
  const x509 = typeof pem === "string" ? new X509Certificate(pem) : pem;
  return {
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    subjectAltName: x509.subjectAltName,
    validFrom: new Date(x509.validFrom).toISOString(),
    validTo: new Date(x509.validTo).toISOString(),
    fingerprint256: x509.fingerprint256,
  };
}

async function read(option: keyof TlsPaths, path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw bad(option, path, code === "ENOENT" ? "no such file" : `cannot be read (${reason(error)})`);
  }
}

function parseCertificates(option: keyof TlsPaths, path: string, text: string): X509Certificate[] {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw bad(option, path, "not a PEM certificate (no BEGIN CERTIFICATE block)");
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw bad(option, path, `certificate ${index + 1} does not parse (${reason(error)})`);
    }
  });
}

function bad(option: keyof TlsPaths, path: string, problem: string): UsageError {
  return new UsageError(TLS_OPTIONS[option], `${TLS_OPTIONS[option]} ${path}: ${problem}`);
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `CN=a\nO=b` (Node's multi-line form) as `CN=a, O=b`. */
function oneLine(name: string): string {
  return name.split("\n").join(", ");
}
