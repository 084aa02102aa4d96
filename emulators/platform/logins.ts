import type { CipherKey } from "../../harness/protocol/cts/crypto.ts";

export interface IssuedLogin {
  deviceId: string;
  token: string;
  sessionKey: string;
  key: CipherKey;
  issuedAt: number;
}

/**
 * Logins of one device answered but not yet connected; older ones beyond this are forgotten. A replay of one
 * captured 1002 takes no new place (it gets its first answer's token again): pushing out the device's own login
 * would take this many different captured logins, each within the moment between that login and its connect.
 */
const PENDING_PER_DEVICE = 8;
/** Connect sequences remembered per token: a 1004 repeating one of them is a resend or a replay. */
const CONNECTS_PER_TOKEN = 16;

interface Entry extends IssuedLogin {
  /** The 1002 it answered (`sequence/time`): the same 1002 again gets this login again. */
  request: string;
  /** A session was opened with this token. */
  connected: boolean;
  /** Sequences of the 1004s that opened sessions with this token, newest last. */
  connects: number[];
}

/**
 * Tokens the login server issued (docs/protocol-readings.md, "The reference platform" > Replays). The spec has no
 * nonce, so a captured 1002 can be replayed and is answered again; what keeps the live session safe is that nothing
 * moves at login:
 * - a login is *pending* until a 1004 carrying its token (sealed with its session key, which only the PIN holder can
 *   read from the 1003) opens a session; only then do the device's other tokens stop working;
 * - a token stops working when the session it opened ends, whatever the reason;
 * - a 1004 repeating a connect sequence already seen for its token opens nothing.
 * Pending logins expire after `pendingMs`, and at most `PENDING_PER_DEVICE` are kept per device.
 */
export class LoginTable {
  private readonly byToken = new Map<string, Entry>();
  private readonly pendingByDevice = new Map<string, string[]>();
  private readonly connectedByDevice = new Map<string, string>();

  constructor(
    private readonly now: () => number,
    private readonly pendingMs: number,
  ) {}

  /**
   * The login that answers the 1002 `request` (`sequence/time`) of a device: the pending one that answered the same
   * 1002 before, or a new one from `mint`. The device's live session and token are untouched.
   */
  issue(deviceId: string, request: string, mint: () => IssuedLogin): IssuedLogin {
    const pending = this.pendingByDevice.get(deviceId) ?? [];
    for (const token of pending) {
      const entry = this.working(token);
      if (entry?.request === request) return entry;
    }
    const login = mint();
    const left = (this.pendingByDevice.get(deviceId) ?? []).filter((t) => this.byToken.has(t));
    left.push(login.token);
    while (left.length > PENDING_PER_DEVICE) this.byToken.delete(left.shift() as string);
    this.pendingByDevice.set(deviceId, left);
    // Field by field: a literal that starts with a spread gets a hidden class of its own, and every frame's token
    // look-up reads these entries.
    this.byToken.set(login.token, {
      deviceId: login.deviceId,
      token: login.token,
      sessionKey: login.sessionKey,
      key: login.key,
      issuedAt: login.issuedAt,
      request,
      connected: false,
      connects: [],
    });
    return login;
  }

  /** The login a token belongs to, while the token works. */
  byTokenOf(token: string | undefined): IssuedLogin | undefined {
    return this.working(token);
  }

  private working(token: string | undefined): Entry | undefined {
    const entry = token === undefined ? undefined : this.byToken.get(token);
    if (entry === undefined) return undefined;
    if (!entry.connected && this.now() - entry.issuedAt > this.pendingMs) {
      this.drop(entry);
      return undefined;
    }
    return entry;
  }

  /** True when a 1004 with this token and sequence opened a session before: a resend or a replay. */
  isRepeatedConnect(token: string, sequence: number): boolean {
    return this.byToken.get(token)?.connects.includes(sequence) ?? false;
  }

  /**
   * A 1004 with this token opens a session: the device's other tokens (an older session's, other pending logins)
   * stop working. Returns false when the token does not work.
   */
  connected(token: string, sequence: number): boolean {
    const entry = this.working(token);
    if (entry === undefined) return false;
    const { deviceId } = entry;
    for (const other of this.pendingByDevice.get(deviceId) ?? [])
      if (other !== token) this.byToken.delete(other);
    this.pendingByDevice.delete(deviceId);
    const previous = this.connectedByDevice.get(deviceId);
    if (previous !== undefined && previous !== token) this.byToken.delete(previous);
    this.connectedByDevice.set(deviceId, token);
    entry.connected = true;
    entry.connects.push(sequence);
    if (entry.connects.length > CONNECTS_PER_TOKEN) entry.connects.shift();
    return true;
  }

  /** The session opened with this token ended: the token stops working. */
  sessionEnded(token: string): void {
    const entry = this.byToken.get(token);
    if (entry?.connected) this.drop(entry);
  }

  private drop(entry: Entry): void {
    this.byToken.delete(entry.token);
    if (this.connectedByDevice.get(entry.deviceId) === entry.token)
      this.connectedByDevice.delete(entry.deviceId);
    const pending = this.pendingByDevice.get(entry.deviceId);
    if (pending === undefined) return;
    const left = pending.filter((t) => t !== entry.token);
    if (left.length === 0) this.pendingByDevice.delete(entry.deviceId);
    else this.pendingByDevice.set(entry.deviceId, left);
  }
}
