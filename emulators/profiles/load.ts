import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { showValue, UsageError } from "../../harness/errors.ts";
import { type Profile, ProfileSchema } from "./schema.ts";

/** Where the shipped profiles live. */
export const PROFILE_DIR = fileURLToPath(new URL("./", import.meta.url));

/** Parses and checks one profile; errors name the file, the field and the value. */
export function parseProfile(text: string, file: string): Profile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      "profile",
      `${file}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = ProfileSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const got = "input" in issue ? ` (got ${showValue(issue.input)})` : "";
      return `${file}: ${issue.path.join(".") || "profile"}: ${issue.message}${got}`;
    });
    throw new UsageError("profile", lines.join("\n"));
  }
  const profile = parsed.data;
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

/** Every `*.json` profile of a directory, by name (the file name without `.json`). */
export async function loadProfiles(dir: string = PROFILE_DIR): Promise<Map<string, Profile>> {
  const profiles = new Map<string, Profile>();
  for (const entry of (await readdir(dir)).filter((f) => f.endsWith(".json")).sort()) {
    const file = join(dir, entry);
    profiles.set(basename(entry, ".json"), parseProfile(await readFile(file, "utf8"), file));
  }
  return profiles;
}
