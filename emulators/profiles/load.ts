import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { showValue, UsageError } from "../../harness/errors.ts";
import { parseJsonFile } from "../../harness/json-file.ts";
import { type Profile, ProfileSchema } from "./schema.ts";

/** Where the shipped profiles live. */
export const PROFILE_DIR = fileURLToPath(new URL("./", import.meta.url));

/** Parses and checks one profile; errors name the file, the field and the value. */
export function parseProfile(text: string, file: string): Profile {
  const profile = parseJsonFile(text, file, ProfileSchema, "profile");
  for (const [name, command] of Object.entries(profile.commands)) {
    if (!Object.values(profile.serials).some((serial) => command.status in serial)) {
      throw new UsageError(
        "profile",
        `${file}: commands.${name}.status: no serial has a status ${showValue(command.status)}`,
      );
    }
  }
  return profile;
}

/**
 * Every `*.json` profile of a directory, by name (the file name without `.json`). The files are few and small, read
 * in one synchronous pass: through the thread pool, four round trips a file, the shipped thirteen took 2-8 ms in a
 * fresh process against 0.5 ms (docs/benchmarks.md, "A twelfth machine").
 */
export async function loadProfiles(dir: string = PROFILE_DIR): Promise<Map<string, Profile>> {
  const profiles = new Map<string, Profile>();
  const entries = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  for (const entry of entries) {
    const file = join(dir, entry);
    profiles.set(basename(entry, ".json"), parseProfile(readFileSync(file, "utf8"), file));
  }
  return profiles;
}

let shipped: Promise<ReadonlyMap<string, Profile>> | undefined;

/**
 * The shipped profiles, read and checked once per process: a suite that starts a world per run (200 property runs)
 * would otherwise read and check 13 files each time. Profiles are data; nothing changes them.
 */
export async function shippedProfiles(): Promise<Map<string, Profile>> {
  shipped ??= loadProfiles(PROFILE_DIR).catch((error: unknown) => {
    shipped = undefined;
    throw error;
  });
  return new Map(await shipped);
}
