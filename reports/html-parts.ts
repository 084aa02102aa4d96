/** Small pieces the load report's HTML is built from (reports/load-html.ts). */

/** Text made safe for element content and double-quoted attributes. */
export const esc = (text: string | number): string =>
  String(text)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** JSON for a `<script type="application/json">` element: no `<` can close the element early. */
export const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c");

/** At most `max` items, the first and last kept: enough for a chart, small enough for any report. */
export function downsample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const step = Math.ceil(items.length / (max - 1));
  const kept = items.filter((_, i) => i % step === 0);
  const last = items.at(-1);
  if (last !== undefined && kept.at(-1) !== last) kept.push(last);
  return kept;
}

/** Bytes as MiB or KiB, whichever reads better. */
export function bytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024).toFixed(1)} KiB`;
}

/** Milliseconds with a precision that suits their size. */
export const ms = (n: number): string => (n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : n.toFixed(0));

/** A `<tr>` of header-then-value cells, all escaped. */
export const keyRow = (key: string, value: string | number): string =>
  `<tr><th>${esc(key)}</th><td>${esc(value)}</td></tr>`;

/** A table with a header row and body rows already built, or `empty` when there are no rows. */
export function table(id: string, headers: string[], rows: string[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${esc(empty)}</p>`;
  const head = headers
    .map((h) => (h.startsWith("#") ? `<th class="num">${esc(h.slice(1))}</th>` : `<th>${esc(h)}</th>`))
    .join("");
  return `<table id="${esc(id)}"><thead><tr>${head}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

/** The same plain look as reports/html.ts. */
export const baseCss = `body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #1d2330; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d6dae3; padding-bottom: .2rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #e6e9ef; vertical-align: top; }
th { background: #f4f6fa; } .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 1.5rem; }
figure { margin: 0; } figcaption { color: #4b5563; font-size: .9em; } canvas { width: 100%; max-height: 260px; }
.empty, .unmeasured { color: #6b7280; }`;
