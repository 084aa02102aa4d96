import { z } from "zod";

/** Request pieces shared by the catalogue's areas: how paths, queries and bodies are read. */

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Reads camelCase keys as snake_case (a snake_case key already there wins); nested objects too. */
export function snakeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeKeys);
  if (value === null || typeof value !== "object") return value;
  const source = value as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(source).map(([key, v]) => {
      const snake = snakeCase(key);
      return [snake !== key && Object.hasOwn(source, snake) ? key : snake, snakeKeys(v)];
    }),
  );
}

/** A request part (query or body): a loose object read in snake_case. */
export const params = <S extends z.ZodType>(schema: S) => z.preprocess(snakeKeys, schema);

export const fields = <S extends z.ZodRawShape>(shape: S) => params(z.looseObject(shape));

/** No documented parameters: nothing, or any object (the vendor's Node SDK sends `{}` as the body of a GET). */
export const none = z.looseObject({}).optional();

export const Text = z.string().min(1, "expected a non-empty string");

export const Digits = z.string().regex(/^\d+$/, "expected a whole number");

export const pathOf = <S extends z.ZodRawShape>(shape: S) => z.strictObject({ device_id: Text, ...shape });

export const devicePath = pathOf({});

export const pathPassword = pathOf({ password_id: Text });

export const pathLongPassword = pathOf({ password_id: Digits });

export const userPath = pathOf({ user_id: Text });

export const QueryInt = Digits.transform(Number);

export const QueryBool = z.enum(["true", "false"]).transform((v) => v === "true");

/** A comma-separated list of codes, each one of `values`; `empty` allows "" where the seed says "can be empty". */
export const codeList = (values: readonly string[], empty = false) =>
  z.string().refine((s) => (s === "" ? empty : s.split(",").every((c) => values.includes(c))), {
    message: `expected codes among ${values.join(",")}, separated by commas`,
  });

export const Long = z.int();

export const Count = z.int().nonnegative();

/** "The 10-digit timestamp ... Unit: seconds (s)". */
export const Seconds10 = z
  .int()
  .min(1_000_000_000, "expected a 10-digit timestamp in seconds")
  .max(9_999_999_999);

/** Minutes of a day; "Maximum value: 1440". */
export const Minute = z.int().min(0).max(1440);

/** Days of the week summed (1 Sunday ... 64 Saturday). Seed line 289: the example sends 0, accepted. */
export const WorkingDay = z.int().min(0).max(127);

/** A whole number sent as a number or as digits (seed line 3132: `"start_minute": "420"`). */
export const IntLike = z.union([z.int(), Digits.transform(Number)]);

/** An id documented String that examples send as a number (seed line 1811: `"userId": 1980012`). */
export const IdLike = z.union([Text, z.int().nonnegative()]);

/** "The password is encrypted using a ticket": hex of AES-128-ECB; its hex and length are checked on decryption. */
export const Encrypted = { password: Text, password_type: z.literal("ticket"), ticket_id: Text };

export const UnlockDpCodes = [
  "unlock_fingerprint",
  "unlock_card",
  "unlock_password",
  "unlock_face",
  "unlock_hand",
];

export const UserDpCodes = [...UnlockDpCodes, "unlock_finger_vein"];

export const OpmodeDpCodes = [...UserDpCodes, "unlock_telecontrol_kit"];

export const Page = { page_no: QueryInt, page_size: QueryInt };
