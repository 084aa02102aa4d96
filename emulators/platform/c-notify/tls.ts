import { access } from "node:fs/promises";
import { join } from "node:path";
import { makeTestPki } from "../../../harness/tls/certificates.ts";
import { loadTlsMaterial, type TlsMaterial } from "../../../harness/tls/tls-material.ts";
import { isWildcard } from "../net.ts";
import type { InteropTls } from "../platform-options.ts";

/** The server's TLS identity, and with a test PKI the directory and the client certificate a peer may use. */
export interface NotifyTls {
  material: TlsMaterial;
  /** The test PKI's directory (`tls.dir`). */
  pki?: string;
  /** The test PKI's client certificate (its key beside it, `client-key.pem`). */
  clientCert?: string;
}

/** The file names `makeTestPki` writes. */
export const PKI_FILES = {
  ca: "ca.pem",
  cert: "server.pem",
  key: "server-key.pem",
  clientCert: "client.pem",
  clientKey: "client-key.pem",
} as const;

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * 7.1.2, 7.1.4: the identity the C11-C18 server presents, and the CA its clients' certificates must chain to. With
 * `{dir}`, a test PKI made there when its files are absent (its server certificate names `host` too), else the one
 * already there.
 */
export async function notifyTls(tls: InteropTls, host: string): Promise<NotifyTls> {
  if (!("dir" in tls)) return { material: await loadTlsMaterial(tls) };
  const file = (name: string) => join(tls.dir, name);
  const needed = [PKI_FILES.ca, PKI_FILES.cert, PKI_FILES.key, PKI_FILES.clientCert, PKI_FILES.clientKey];
  const present = await Promise.all(needed.map((name) => exists(file(name))));
  if (present.includes(false)) {
    const serverHosts = ["127.0.0.1", "localhost", ...(isWildcard(host) ? [] : [host])];
    await makeTestPki(tls.dir, { serverHosts: [...new Set(serverHosts)] });
  }
  const material = await loadTlsMaterial({
    cert: file(PKI_FILES.cert),
    key: file(PKI_FILES.key),
    ca: file(PKI_FILES.ca),
  });
  return { material, pki: tls.dir, clientCert: file(PKI_FILES.clientCert) };
}
