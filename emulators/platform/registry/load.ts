import { readFile } from "node:fs/promises";
import { extname } from "node:path";
import { parseRegistryCsv } from "./csv.ts";
import { RegistryError } from "./errors.ts";
import { parseRegistryJson } from "./json.ts";
import type { Registry } from "./registry.ts";

export { parseRegistryCsv } from "./csv.ts";
export { parseRegistryJson } from "./json.ts";

const PARSERS: Record<string, (text: string, file: string) => Registry> = {
  ".json": parseRegistryJson,
  ".csv": parseRegistryCsv,
};

/** A registry file, `.json` or `.csv` by its extension; throws `RegistryError` listing every problem. */
export async function loadRegistry(path: string): Promise<Registry> {
  const extension = extname(path).toLowerCase();
  const parser = PARSERS[extension];
  if (parser === undefined) {
    const accepted = Object.keys(PARSERS).join(" or ");
    const got = extension === "" ? "no extension" : `"${extension}"`;
    throw new RegistryError([
      { file: path, field: "path", message: `a registry file must end in ${accepted}, got ${got}` },
    ]);
  }
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RegistryError([{ file: path, field: "path", message: `cannot read the file (${reason})` }]);
  }
  return parser(text, path);
}
