import { z } from "zod";

/**
 * A lock's keypad, as data: the keys are the entries of a managed resource (the platform adds, changes and deletes
 * them with 2031); an entry of the password type opens the lock when its code is typed within its validity, and the
 * lock reports what happened as events (2032). Field names are the profile's, so a model with other names is a new
 * profile, not new code.
 */
export const KeypadSchema = z.strictObject({
  /** The managed resource whose entries are the keys, and its serial. */
  resource: z.string().min(1).default("KEY_LIST"),
  serialId: z.string().default("0"),
  /** Which entries are passwords: those whose `typeField` is `passwordType`. */
  typeField: z.string().min(1).default("KEY_TYPE"),
  passwordType: z.string().min(1).default("2"),
  idField: z.string().min(1).default("KEY_ID"),
  /** The digits to type. */
  codeField: z.string().min(1).default("KEY_CODE"),
  /** Optional fields of an entry, in Unix seconds: valid from, valid until (either may be absent). */
  validFromField: z.string().min(1).default("EFFECTIVE_TIME"),
  validUntilField: z.string().min(1).default("INVALID_TIME"),
  /** An entry with this field "1" is frozen: it opens nothing until it is "0" again. */
  frozenField: z.string().min(1).default("FROZEN"),
  /** An entry with this field "1" opens once, then the lock deletes it (and reports the change, 2028). */
  singleUseField: z.string().min(1).default("SINGLE_USE"),
  /** An entry with this field "1" opens the lock and raises the duress event (a password typed under threat). */
  hijackField: z.string().min(1).default("HIJACK"),
  /** The command whose effect a valid code has (e.g. UNLOCK sets LOCK to "0"). */
  openCommand: z.string().min(1).default("UNLOCK"),
  /** Events: the opening (with TYPE "PASSWORD" and the key's id), the duress alarm, too many wrong codes. */
  openEvent: z.string().min(1).default("LOCK_OPEN"),
  hijackEvent: z.string().min(1).default("HIJACK"),
  wrongCodeEvent: z.string().min(1).default("WRONG_CODE"),
  /**
   * The keypad also takes the lock API's offline codes (10 digits) and dynamic codes (8 digits), checked on the lock
   * with its local key and its own clock (harness/protocol/lock-api/offline-code.ts), link or no link.
   */
  offlineCodes: z.boolean().default(false),
  /** Wrong codes in a row that raise `wrongCodeEvent` (the count then starts again). */
  wrongCodeLimit: z.number().int().min(1).default(5),
});

export type Keypad = z.output<typeof KeypadSchema>;
