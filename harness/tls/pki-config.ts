import { isIP } from "node:net";
import { UsageError } from "../errors.ts";

/** The kind of certificate an extension section is written for. */
export type CertificateRole = "ca" | "server" | "client";

export type KeyType = "ec-p256" | "rsa-2048";

/** `openssl genpkey` arguments for a key of this type (PKCS#8 PEM on stdout). */
export function keyArgs(type: KeyType): string[] {
  return type === "ec-p256"
    ? ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
    : ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"];
}

/** A `-subj` value for one common name; `/`, `=`, `+` and `\` are escaped as openssl reads them. */
export function subject(commonName: string, field: string): string {
  if (commonName === "" || /[\p{Cc}]/u.test(commonName)) {
    throw new UsageError(
      field,
      `${field}: a common name is non-empty printable text (got ${JSON.stringify(commonName)})`,
    );
  }
  return `/CN=${commonName.replace(/[\\/=+]/g, (c) => `\\${c}`)}`;
}

/** `IP:127.0.0.1,DNS:localhost` for the hosts a server certificate names. */
export function subjectAltName(hosts: readonly string[]): string {
  return hosts.map((host) => (isIP(host) === 0 ? `DNS:${host}` : `IP:${host}`)).join(",");
}

/** The body of an X.509 v3 extension section for a certificate of this role. */
export function extensionLines(role: CertificateRole, keyType: KeyType, hosts: readonly string[]): string[] {
  if (role === "ca") {
    return [
      "basicConstraints = critical,CA:TRUE",
      "keyUsage = critical,keyCertSign,cRLSign",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid:always",
    ];
  }
  // keyEncipherment only matters to RSA key exchange in TLS 1.2.
  const usage = keyType === "rsa-2048" ? "digitalSignature,keyEncipherment" : "digitalSignature";
  return [
    "basicConstraints = critical,CA:FALSE",
    `keyUsage = critical,${usage}`,
    `extendedKeyUsage = ${role === "server" ? "serverAuth" : "clientAuth"}`,
    ...(role === "server" ? [`subjectAltName = ${subjectAltName(hosts)}`] : []),
    "subjectKeyIdentifier = hash",
    "authorityKeyIdentifier = keyid,issuer",
  ];
}

/** A config for `openssl req`, independent of the system's openssl.cnf (the subject comes from `-subj`). */
export function reqConfig(extensions: readonly string[]): string {
  return ["[req]", "distinguished_name = dn", "[dn]", "[ext]", ...extensions, ""].join("\n");
}

/** A one-off `openssl ca` config: its database and serial live in `work`, nothing is kept. */
export function caConfig(work: string, extensions: readonly string[]): string {
  return [
    "[ca]",
    "default_ca = test_ca",
    "[test_ca]",
    `database = ${work}/index.txt`,
    `new_certs_dir = ${work}`,
    `serial = ${work}/serial`,
    "default_md = sha256",
    "policy = policy_any",
    "unique_subject = no",
    "email_in_dn = no",
    "copy_extensions = none",
    "[policy_any]",
    "commonName = supplied",
    "[ext]",
    ...extensions,
    "",
  ].join("\n");
}

/** `YYMMDDHHMMSSZ` (UTCTime), the date form every openssl `ca -startdate`/`-enddate` reads. */
export function utcTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(date.getUTCFullYear() % 100)}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(
    date.getUTCHours(),
  )}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
}
