/**
 * The lock API's fixtures against the seed they were copied from: the API list, each endpoint's section line, and
 * every request and answer example (harness/protocol/lock-api/testing/). A developer check, run where the seed is at
 * hand; `npm test` uses the fixtures alone.
 *   npm run check:lock-seed [-- path/to/002_c2fdad2378ea765c.txt]
 * The seed is read from ../shared/specs/ beside the repository unless a path is given. Exits 0 when every copy
 * matches, 1 naming each example and seed line that differs, 2 when the seed file cannot be read.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkSeed, SEED_SHA256 } from "../harness/protocol/lock-api/testing/seed-check.ts";

const given = process.argv[2];
const path = given
  ? resolve(given)
  : fileURLToPath(new URL("../../shared/specs/002_c2fdad2378ea765c.txt", import.meta.url));

let text: Buffer;
try {
  text = readFileSync(path);
} catch (error) {
  const reason =
    (error as NodeJS.ErrnoException).code === "ENOENT" ? "is absent" : `cannot be read (${error})`;
  console.error(`check:lock-seed: the seed file ${path} ${reason}; nothing was checked.`);
  console.error("Give its path: npm run check:lock-seed -- path/to/002_c2fdad2378ea765c.txt");
  process.exit(2);
}

const sha = createHash("sha256").update(text).digest("hex");
if (sha !== SEED_SHA256) {
  console.log(`check:lock-seed: ${path} is not the copy the fixtures were taken from (sha256 ${sha}).`);
}
const mismatches = checkSeed(text.toString("utf8").split("\n"));
for (const m of mismatches) console.error(`${m.what}, seed line ${m.line}: ${m.message}`);
if (mismatches.length > 0) {
  console.error(`check:lock-seed: ${mismatches.length} fixture(s) differ from ${path}.`);
  process.exit(1);
}
console.log(`check:lock-seed: the API list, the catalogue's section lines and every example match ${path}.`);
