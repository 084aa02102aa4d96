import { CsvError, parse } from "csv-parse/sync";
import { showValue } from "../../../harness/errors.ts";
import { checkFlat, passed, sortByLine, type Where } from "./check.ts";
import { RegistryError, type RegistryProblem } from "./errors.ts";
import { Registry } from "./registry.ts";

const COLUMNS = ["deviceId", "pin", "bindKey", "model", "parentId"];
const REQUIRED_COLUMNS = ["deviceId", "pin"];

interface Row {
  cells: Record<string, string>;
  line: number;
  /** Set when the row has another number of cells than the header. */
  cellCount?: number;
}

/**
 * Header `deviceId,pin,bindKey,model,parentId` (any order; bindKey, model and parentId may be left out); empty
 * cells mean absent; `#` comment lines and blank lines are skipped.
 */
export function parseRegistryCsv(text: string, file: string): Registry {
  // csv-parse counts a CRLF inside a quoted cell as two lines: normalise so line numbers stay right.
  const source = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const headerLine = source.split("\n").findIndex((line) => line.trim() !== "" && !line.startsWith("#")) + 1;
  const headerAt = { file, ...(headerLine > 0 ? { line: headerLine } : {}) };
  let header: string[] | undefined;
  let rows: Row[];
  try {
    rows = parse<Row, Record<string, string>>(source, {
      columns: (names: string[]) => {
        header = names;
        return names;
      },
      comment: "#",
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      on_record: (cells, context) => {
        const record = context.error?.record;
        const values = Array.isArray(record) ? record.map(String) : Object.values(cells);
        // Spreadsheets write an empty row as `,,,,`: that is a blank line too.
        if (values.every((value) => value.trim() === "")) return null;
        // `lines` is the record's last line; a quoted cell may span lines.
        const line = context.lines - values.join("").split("\n").length + 1;
        return context.error === undefined ? { cells, line } : { cells, line, cellCount: values.length };
      },
    });
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const headerProblems = header === undefined ? [] : checkHeader(header, headerAt);
    throw new RegistryError(headerProblems.length > 0 ? headerProblems : [syntaxProblem(error, file)]);
  }
  if (header === undefined) {
    throw new RegistryError([
      { ...headerAt, field: "header", message: `no header line (${COLUMNS.join(",")})` },
    ]);
  }
  const headerProblems = checkHeader(header, headerAt);
  if (headerProblems.length > 0) throw new RegistryError(headerProblems);

  const problems: RegistryProblem[] = [];
  const entries: Array<{ input: unknown; at: Where }> = [];
  for (const row of rows) {
    const at = { file, line: row.line };
    if (row.cellCount === undefined) {
      entries.push({ input: Object.fromEntries(Object.entries(row.cells).filter(([, v]) => v !== "")), at });
    } else {
      const message = `expected ${header.length} cells (${header.join(",")}), got ${row.cellCount}`;
      problems.push({ ...at, field: "columns", message });
    }
  }
  const checked = checkFlat(entries);
  problems.push(...checked.problems);
  const devices = passed(checked.devices, problems);
  if (devices === undefined) throw new RegistryError(sortByLine(problems));
  return Registry.fromChecked(devices);
}

function checkHeader(header: string[], at: { file: string; line?: number }): RegistryProblem[] {
  const problem = (message: string): RegistryProblem => ({ ...at, field: "header", message });
  const problems: RegistryProblem[] = [];
  header.forEach((name, index) => {
    if (!COLUMNS.includes(name)) {
      problems.push(problem(`unknown column ${showValue(name)} (accepted: ${COLUMNS.join(", ")})`));
    } else if (header.indexOf(name) !== index)
      problems.push(problem(`column ${showValue(name)} appears twice`));
  });
  for (const name of REQUIRED_COLUMNS) {
    if (!header.includes(name)) problems.push(problem(`missing column ${showValue(name)}`));
  }
  return problems;
}

/** In our own words: csv-parse's messages may quote the text of a cell (a PIN, say). */
function syntaxProblem(error: CsvError, file: string): RegistryProblem {
  const reasons: Partial<Record<string, string>> = {
    CSV_QUOTE_NOT_CLOSED: "a quoted cell is never closed",
    CSV_INVALID_CLOSING_QUOTE: "a closing quote is followed by more text in the same cell",
    INVALID_OPENING_QUOTE: "a quote in the middle of an unquoted cell",
  };
  const line = typeof error.lines === "number" ? { line: error.lines } : {};
  return { file, ...line, field: "csv", message: `malformed CSV: ${reasons[error.code] ?? error.code}` };
}
