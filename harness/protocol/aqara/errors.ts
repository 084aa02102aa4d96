import { WireError } from "../../errors.ts";

/**
 * The codes of the Aqara-style open API's answers (`code`, `message`). The seed shows only `code` 0, "Success": the
 * rest are hilfarm's reading (docs/protocol-readings.md, "Aqara-style open API and message push"), numbered as the
 * vendor's published open API numbers its own where it has one (108 token invalid, 302 missing parameter, 303 illegal
 * parameter), and in hilfarm's own 9xx range where the seed and that table are silent.
 */
export const aqaraCodes = {
  success: { code: 0, message: "Success" },
  tokenInvalid: { code: 108, message: "Token is invalid" },
  missingParameter: { code: 302, message: "Missing parameter" },
  illegalParameter: { code: 303, message: "Illegal parameter" },
  unknownApp: { code: 901, message: "Unknown app or key" },
  signInvalid: { code: 902, message: "Sign is invalid" },
  timeInvalid: { code: 903, message: "Request time is invalid" },
  nonceReused: { code: 904, message: "Nonce already used" },
  unknownIntent: { code: 905, message: "Unknown intent" },
  systemError: { code: 500, message: "System error" },
} as const satisfies Readonly<Record<string, { readonly code: number; readonly message: string }>>;

export type AqaraErrorName = Exclude<keyof typeof aqaraCodes, "success">;

/**
 * A refused request (open API) or push (receiver): `code` is the name, `apiCode` the number answered, `message` the
 * table's text then what is at fault; `field` the header or body field to blame.
 */
export class AqaraError extends WireError<AqaraErrorName> {
  readonly apiCode: number;
  /** What is at fault, without the table's text (an answer's `msgDetails`). */
  readonly detail: string | undefined;
  constructor(name: AqaraErrorName, detail?: string, field?: string) {
    const base = aqaraCodes[name].message;
    super(name, detail === undefined ? base : `${base}: ${detail}`, field);
    this.apiCode = aqaraCodes[name].code;
    this.detail = detail;
  }
}
