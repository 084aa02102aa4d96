import type { CipherKey } from "../../harness/protocol/ct/crypto.ts";

export interface IssuedLogin {
  deviceId: string;
  token: string;
  key: CipherKey;
  issuedAt: number;
}

/**
 * Tokens the login server issued and not yet superseded (protocol-decisions section 6): a new login invalidates
 * the device's previous token.
 */
export class LoginTable {
  private readonly byToken = new Map<string, IssuedLogin>();
  private readonly tokenByDevice = new Map<string, string>();

  /** Records a login; returns the login it supersedes, if any. */
  issue(login: IssuedLogin): IssuedLogin | undefined {
    const previousToken = this.tokenByDevice.get(login.deviceId);
    const previous = previousToken === undefined ? undefined : this.byToken.get(previousToken);
    if (previousToken !== undefined) this.byToken.delete(previousToken);
    this.byToken.set(login.token, login);
    this.tokenByDevice.set(login.deviceId, login.token);
    return previous;
  }

  byTokenOf(token: string | undefined): IssuedLogin | undefined {
    return token === undefined ? undefined : this.byToken.get(token);
  }

  forget(deviceId: string): void {
    const token = this.tokenByDevice.get(deviceId);
    if (token !== undefined) this.byToken.delete(token);
    this.tokenByDevice.delete(deviceId);
  }
}
