import { readFile, writeFile } from "node:fs/promises";

const FILE = new URL("../docs/benchmarks.md", import.meta.url);

/** Replaces one `## title` section of docs/benchmarks.md (or appends it), leaving the other benchmarks' sections. */
export async function writeBenchmarkSection(title: string, body: string[]): Promise<void> {
  const current = await readFile(FILE, "utf8").catch(() => "# Benchmarks\n");
  const heading = `## ${title}`;
  const lines = current.split("\n");
  const start = lines.indexOf(heading);
  const section = [heading, "", ...body, ""];
  if (start < 0) {
    while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    await writeFile(FILE, [...lines, "", ...section].join("\n"));
    return;
  }
  let end = lines.findIndex((line, i) => i > start && line.startsWith("## "));
  if (end < 0) end = lines.length;
  await writeFile(FILE, [...lines.slice(0, start), ...section, ...lines.slice(end)].join("\n"));
}
