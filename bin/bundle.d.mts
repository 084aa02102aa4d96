/**
 * The URL of `entry` (a path under `root`) bundled in `cacheDir`, and whether this call built it; undefined when it
 * cannot be built or kept there (the caller then imports the sources themselves).
 */
export function bundledEntry(options: {
  root: string;
  entry: string;
  cacheDir: string;
}): Promise<{ url: string; built: boolean } | undefined>;
