import { z } from "zod";
import { showValue } from "../../../harness/errors.ts";
import { isSecretField } from "../../../harness/secrets.ts";

const DEVICE_ID_CHARS = /^[A-Za-z0-9_.:-]*$/;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const DEVICE_ID_MAX = 64;
// CT spec: the PIN is the AES-128-CBC key (bytes 0-15) and IV (bytes 16-31) of the pin-encrypted packets.
const PIN_LENGTH = 32;

/** A value as an error message may show it: secrets (pin, bindKey) by length or type only, never in clear. */
function describeValue(field: string, value: unknown): string {
  if (!isSecretField(field)) return showValue(value);
  return typeof value === "string" ? characters(value.length) : typeName(value);
}

function characters(count: number): string {
  return count === 1 ? "1 character" : `${count} characters`;
}

/** zod's own messages are generic: say what was expected, and what came instead unless it is a secret. */
const expected = (what: string, field?: string) => (issue: { input?: unknown }) =>
  issue.input === undefined
    ? "is required"
    : `must be ${what}, got ${field === undefined ? typeName(issue.input) : describeValue(field, issue.input)}`;

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

const text = (field: string) => z.string({ error: expected("a string", field) });

const deviceId = (field: string) =>
  text(field)
    .min(1, "must not be empty")
    .max(DEVICE_ID_MAX, {
      error: (issue) => `must be at most ${DEVICE_ID_MAX} characters, got ${String(issue.input).length}`,
    })
    .regex(DEVICE_ID_CHARS, {
      error: (issue) => `must be letters, digits and - _ . : only, got ${showValue(issue.input)}`,
    });

const pin = text("pin").refine((value) => value.length === PIN_LENGTH && PRINTABLE_ASCII.test(value), {
  error: (issue) => {
    const length = String(issue.input).length;
    const got = length === PIN_LENGTH ? "a non-printable or non-ASCII character" : characters(length);
    return `must be ${PIN_LENGTH} printable ASCII characters, got ${got}`;
  },
});

const fields = {
  deviceId: deviceId("deviceId"),
  pin,
  bindKey: text("bindKey").optional(),
  model: text("model").optional(),
};

const array = z.array(z.unknown(), { error: expected("an array") });

/** One entry of `Registry.fromDevices` or one CSV row: flat, with an optional `parentId`. */
export const registeredDeviceSchema = z.object(
  { ...fields, parentId: deviceId("parentId").optional() },
  { error: expected("a device object") },
);

/** JSON root: `{"devices": [...]}`; the entries are checked one by one so one bad device hides no other. */
export const jsonRootSchema = z.strictObject(
  { devices: array },
  { error: expected('an object {"devices": [...]}') },
);

/** A JSON top-level device; its `subDevices` entries are checked one by one with `jsonSubDeviceSchema`. */
export const jsonDeviceSchema = z.strictObject(
  {
    ...fields,
    subDevices: array.optional(),
  },
  { error: expected("a device object") },
);

export const jsonSubDeviceSchema = z.strictObject(
  {
    ...fields,
    subDevices: z
      .undefined({
        error: "a sub-device cannot have sub-devices of its own (one level under a gateway only)",
      })
      .optional(),
  },
  { error: expected("a sub-device object") },
);
