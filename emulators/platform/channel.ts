/**
 * One device connection as the platform's session logic sees it: frames out, and a way to end it.
 * The TCP and UDP connection servers implement it; tests use an in-memory one.
 */
export interface DeviceChannel {
  readonly transport: "tcp" | "udp";
  /** `host:port` of the device, for logs and the API. */
  readonly remote: string;
  /** Sends one whole frame (CRLF included). Never throws; a closed channel drops it. */
  send(frame: Buffer): void;
  /** TCP: destroys the socket. UDP: forgets the peer. Idempotent. */
  close(): void;
}
