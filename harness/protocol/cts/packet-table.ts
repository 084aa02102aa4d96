/**
 * What the CTS framing needs to know of an interface's packet table (Mc: table 5.2.1; Md's TCP side has its own):
 * which codes exist, their names for messages, and which clear-text envelope fields each one carries.
 */
export interface PacketTable<Code extends number = number> {
  /** The interface and its table, for error messages: `Mc table 5.2.1`. */
  readonly description: string;
  isCode(code: number): code is Code;
  nameOf(code: Code): string;
  /** The envelope carries `deviceId` in clear (Mc: the login request). */
  carriesDeviceId(code: Code): boolean;
  /** The envelope carries `token` in clear (Mc: device frames after login). */
  carriesToken(code: Code): boolean;
}
