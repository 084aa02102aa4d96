/**
 * The line of every value of a JSON text, keyed by path (`devices[1].subDevices[0].pin`), so problems can name
 * a line. Only for text `JSON.parse` accepted: it does not validate.
 */
export function jsonValueLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let at = 0;
  let line = 1;

  const skipSpace = (): void => {
    for (; at < text.length; at++) {
      const char = text[at];
      if (char === "\n") line++;
      else if (char !== " " && char !== "\t" && char !== "\r") return;
    }
  };
  const readString = (): string => {
    const start = at;
    for (at++; at < text.length && text[at] !== '"'; at++) if (text[at] === "\\") at++;
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const readValue = (path: string): void => {
    skipSpace();
    lines.set(path, line);
    const open = text[at];
    if (open === "{" || open === "[") {
      const close = open === "{" ? "}" : "]";
      at++;
      for (let index = 0; ; index++) {
        skipSpace();
        if (at >= text.length || text[at] === close) break;
        if (open === "[") readValue(`${path}[${index}]`);
        else {
          const key = readString();
          skipSpace();
          at++; // the ':'
          readValue(path === "" ? key : `${path}.${key}`);
        }
        skipSpace();
        if (text[at] === ",") at++;
      }
      at++;
    } else if (open === '"') readString();
    else while (at < text.length && !/[\s,\]}]/.test(text[at] ?? "")) at++;
  };

  readValue("");
  return lines;
}

/** The line of a path's value, or of the nearest enclosing value (a missing field: its object). */
export function lineOfPath(lines: ReadonlyMap<string, number>, path: string): number | undefined {
  let current = path;
  for (;;) {
    const line = lines.get(current);
    if (line !== undefined) return line;
    const parent = current.replace(/(?:^|\.)[^.[\]]+$|\[\d+\]$/, "");
    if (parent === current) return undefined;
    current = parent;
  }
}
