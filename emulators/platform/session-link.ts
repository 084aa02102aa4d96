/**
 * One device's link as the platform's session sees it: frames out, and a way to end it.
 * The TCP and UDP connection servers implement it; tests use an in-memory one.
 */
export interface SessionLink {
  readonly transport: "tcp" | "udp";
  /** `host:port` of the device, for logs and the API. */
  readonly remote: string;
  /** Sends one whole frame (CRLF included). Never throws; a closed link drops it. */
  send(frame: Buffer): void;
  /** TCP: destroys the socket. UDP: forgets the peer. Idempotent. */
  close(): void;
}
