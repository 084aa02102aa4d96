// hilfarm's command line as a bundle: the entry and every source it imports, built by esbuild into a few files (the
// entry, one per module it imports on demand, the code they share) and kept, with a manifest of what went into it.
// A process that finds the bundle current imports it as plain JavaScript: no module hooks, no hooks thread, one file
// read per part instead of one per source. Any source changed, added to the graph or removed since: built again.
import { createHash, randomBytes } from "node:crypto";
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { target, tsconfigRaw } from "./strip-options.mjs";

/**
 * One manifest per checkout: a bundle holds its sources' own locations (`import.meta.url`), so two checkouts sharing a
 * cache (a worktree with the main checkout's node_modules linked) must never run each other's, even of the same sources.
 */
const manifestName = (root) => `current-${sha256(root).slice(0, 16)}.json`;
const MANIFEST_NAME = /^current-[0-9a-f]{16}\.json$/;
/** Older builds than this go, but for the current one and the one before it (a process may still be starting from it). */
const STALE_MS = 3_600_000;
/** A source's own location, read where it runs: in a bundle it would be the bundle's. */
const OWN_LOCATION = /\bimport\.meta\.(url|dirname|filename)\b/g;
const BUILD_NAME = /^[0-9a-f]{32}$/;
/** What esbuild may load from the project, and how: every file it loads is listed in the manifest. */
const LOADERS = { ts: "ts", mts: "ts", cts: "ts", js: "js", mjs: "js", cjs: "js", json: "json" };

/**
 * The URL of `entry` (a path under `root`) bundled in `cacheDir`, and whether this call built it; undefined when it
 * cannot be built or kept there (the caller then imports the sources themselves).
 */
export async function bundledEntry({ root, entry, cacheDir }) {
  try {
    const stamp = buildStamp();
    const kept = keptBundle(root, cacheDir, stamp);
    if (kept !== undefined) return { url: kept, built: false };
    return { url: await build(root, entry, cacheDir, stamp), built: true };
  } catch {
    return undefined;
  }
}

/** What makes the same sources bundle the same: esbuild's version, the options, this file's own text. */
function buildStamp() {
  const esbuildPackage = createRequire(import.meta.url).resolve("esbuild/package.json");
  const { version } = JSON.parse(readFileSync(esbuildPackage, "utf8"));
  const own = readFileSync(new URL(import.meta.url), "utf8");
  return sha256([version, target, JSON.stringify(tsconfigRaw), own].join("\0"));
}

/**
 * The kept bundle's URL when its manifest has this stamp and every source it lists is as it was bundled: the same
 * size and modification time (a stat each, a few milliseconds in all), or failing that the same contents (read and
 * hashed; the manifest then takes the new times, so that a touched file is read once).
 */
function keptBundle(root, cacheDir, stamp) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(cacheDir, manifestName(root)), "utf8"));
  } catch {
    return undefined;
  }
  if (manifest?.stamp !== stamp || !Array.isArray(manifest.inputs) || !BUILD_NAME.test(manifest.dir))
    return undefined;
  const main = join(cacheDir, manifest.dir, "main.js");
  try {
    const stats = manifest.inputs.map(([path]) => statOf(join(root, path)));
    if (
      stats.every((stat, i) => stat.size === manifest.inputs[i][1] && stat.mtimeMs === manifest.inputs[i][2])
    )
      return existsSync(main) ? pathToFileURL(main).href : undefined;
    const hash = inputsHash(
      root,
      manifest.inputs.map(([path]) => [path, readFileSync(join(root, path))]),
    );
    if (hash !== manifest.hash || !existsSync(main)) return undefined;
    const inputs = manifest.inputs.map(([path], i) => [path, stats[i].size, stats[i].mtimeMs]);
    try {
      writeManifest(root, cacheDir, { ...manifest, inputs });
    } catch {
      // A cache this process cannot write: the next start reads the sources again.
    }
    return pathToFileURL(main).href;
  } catch {
    return undefined;
  }
}

function statOf(path) {
  const { size, mtimeMs } = statSync(path);
  return { size, mtimeMs };
}

/** Written beside and renamed into place: a process that starts meanwhile reads the old manifest or the new. */
function writeManifest(root, cacheDir, manifest) {
  const name = manifestName(root);
  const partial = join(cacheDir, `${name}.${process.pid}.${randomBytes(6).toString("hex")}`);
  try {
    writeFileSync(partial, JSON.stringify(manifest));
    renameSync(partial, join(cacheDir, name));
  } finally {
    rmSync(partial, { force: true });
  }
}

async function build(root, entry, cacheDir, stamp) {
  // A cache that cannot be written is known before half a second of building.
  mkdirSync(cacheDir, { recursive: true });
  accessSync(cacheDir, constants.W_OK);
  const esbuild = await import("esbuild");
  /**
   * Each file as esbuild read it, and its size and time taken just before: the manifest's hash is of what was
   * bundled, and a file changed meanwhile has another time than the manifest's.
   */
  const sources = new Map();
  const ownLocations = {
    name: "hilfarm-own-locations",
    setup(build) {
      build.onLoad({ filter: /\.([cm]?[jt]s|json)$/ }, (args) => {
        const stat = statOf(args.path);
        const source = readFileSync(args.path);
        sources.set(relative(root, args.path).split(sep).join("/"), { ...stat, source });
        const loader = LOADERS[args.path.slice(args.path.lastIndexOf(".") + 1)];
        if (loader === "json") return { loader, contents: source };
        const location = {
          url: pathToFileURL(args.path).href,
          dirname: dirname(args.path),
          filename: args.path,
        };
        const contents = source
          .toString("utf8")
          .replace(OWN_LOCATION, (_, key) => JSON.stringify(location[key]));
        return { loader, contents };
      });
    },
  };
  const staging = join(cacheDir, `staging-${process.pid}-${randomBytes(6).toString("hex")}`);
  try {
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: { main: entry },
      outdir: staging,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      packages: "external",
      target,
      tsconfigRaw,
      sourcemap: "inline",
      sourcesContent: false,
      metafile: true,
      logLevel: "silent",
      plugins: [ownLocations],
    });
    for (const input of Object.keys(result.metafile.inputs)) {
      if (!sources.has(input)) throw new Error(`${input}: loaded by esbuild itself, so not in the manifest`);
    }
    const paths = [...sources.keys()].sort();
    const hash = inputsHash(
      root,
      paths.map((path) => [path, sources.get(path).source]),
    );
    const dir = hash.slice(0, 32);
    try {
      renameSync(staging, join(cacheDir, dir));
    } catch (error) {
      // Built by another process at the same time, from the same sources: theirs is as good.
      if (!existsSync(join(cacheDir, dir, "main.js"))) throw error;
    }
    const inputs = paths.map((path) => [path, sources.get(path).size, sources.get(path).mtimeMs]);
    writeManifest(root, cacheDir, { stamp, inputs, hash, dir });
    pruneBuilds(cacheDir, dir);
    return pathToFileURL(join(cacheDir, dir, "main.js")).href;
  } finally {
    rmSync(staging, { recursive: true, force: true });
    await esbuild.stop();
  }
}

/** Of the checkout's own place as well as its sources: the bundle names the places its sources are read from. */
function inputsHash(root, inputs) {
  const hash = createHash("sha256").update(`${root}\0`);
  for (const [path, source] of inputs) hash.update(`${path}\0`).update(source).update("\0");
  return hash.digest("hex");
}

/** Removes what is older than `STALE_MS` but the current build and the newest before it. Best-effort. */
function pruneBuilds(cacheDir, current) {
  try {
    const entries = readdirSync(cacheDir)
      .filter((name) => !MANIFEST_NAME.test(name) && name !== current)
      .map((name) => ({ name, mtimeMs: statSync(join(cacheDir, name)).mtimeMs }))
      .sort((a, b) => b.mtimeMs - a.mtimeMs);
    const previous = entries.find((e) => BUILD_NAME.test(e.name));
    for (const { name, mtimeMs } of entries) {
      if (name !== previous?.name && Date.now() - mtimeMs > STALE_MS)
        rmSync(join(cacheDir, name), { recursive: true, force: true });
    }
  } catch {
    // Another process pruning at the same time; the next build prunes again.
  }
}

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
