import type { z } from "zod";
import { showValue } from "../../../harness/errors.ts";
import type { RegistryProblem } from "./errors.ts";
import type { RegisteredDevice } from "./registry.ts";
import { registeredDeviceSchema } from "./schema.ts";

declare const checkedBrand: unique symbol;

/**
 * Devices that passed every check of a registry (fields, duplicate ids, parents): what `Registry.fromChecked` takes,
 * so a parser that has checked its entries does not check them again.
 */
export type CheckedDevices = readonly RegisteredDevice[] & { readonly [checkedBrand]: true };

/** `devices` as checked, when the checks that produced them found no problem; otherwise undefined. */
export function passed(
  devices: readonly RegisteredDevice[],
  problems: readonly RegistryProblem[],
): CheckedDevices | undefined {
  return problems.length === 0 ? (devices as CheckedDevices) : undefined;
}

/** Where an entry sits: the file, its line (CSV row, JSON value) and/or its JSON path (`devices[2]`). */
export interface Where {
  file: string;
  line?: number;
  path?: string;
}

/** What the cross-entry checks need of an entry, taken from the raw input so invalid entries still count. */
export interface CrossEntry {
  at: Where;
  deviceId: unknown;
  parentId: unknown;
}

/** A field of a raw entry, or undefined when the entry is not an object. */
export function rawField(input: unknown, key: string): unknown {
  return typeof input === "object" && input !== null && !Array.isArray(input)
    ? (input as Record<string, unknown>)[key]
    : undefined;
}

export function joinPath(path: string, segments: readonly PropertyKey[]): string {
  let joined = path;
  for (const segment of segments) {
    if (typeof segment === "number") joined += `[${segment}]`;
    else joined = joined === "" ? String(segment) : `${joined}.${String(segment)}`;
  }
  return joined;
}

/** The last named segment: `devices[1].subDevices[0].pin` -> `pin`, `devices[3]` -> `devices`. */
function lastField(path: string): string {
  return /([^.[\]]+)(?:\[\d+\])*$/.exec(path)?.[1] ?? "devices";
}

/** zod issues of one entry as problems; `lineOf` maps a JSON path to the line of its value. */
export function zodProblems(
  issues: readonly z.core.$ZodIssue[],
  at: Where,
  accepted: readonly string[],
  lineOf?: (path: string) => number | undefined,
): RegistryProblem[] {
  const problems: RegistryProblem[] = [];
  for (const issue of issues) {
    const unknownKeys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const key of unknownKeys) {
      const path = joinPath(at.path ?? "", key === undefined ? issue.path : [...issue.path, key]);
      const message = key === undefined ? issue.message : `unknown field (accepted: ${accepted.join(", ")})`;
      problems.push({
        file: at.file,
        ...lineProperty(lineOf?.(path) ?? at.line),
        ...(at.path === undefined || path === "" ? {} : { path }),
        field: lastField(path),
        message,
      });
    }
  }
  return problems;
}

export function lineProperty(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

function problemAt(at: Where, field: string, message: string): RegistryProblem {
  return {
    file: at.file,
    ...lineProperty(at.line),
    ...(at.path === undefined ? {} : { path: joinPath(at.path, [field]) }),
    field,
    message,
  };
}

function describeWhere(at: Where): string {
  if (at.line === undefined) return at.path ?? at.file;
  return at.path === undefined ? `line ${at.line}` : `line ${at.line} (${at.path})`;
}

/** Duplicate ids, and parents that are missing, the device itself or a sub-device themselves. */
export function crossCheck(entries: readonly CrossEntry[]): RegistryProblem[] {
  const problems: RegistryProblem[] = [];
  const byId = new Map<string, CrossEntry>();
  const duplicates = new Set<CrossEntry>();
  for (const entry of entries) {
    if (typeof entry.deviceId !== "string" || entry.deviceId === "") continue;
    const first = byId.get(entry.deviceId);
    if (first === undefined) byId.set(entry.deviceId, entry);
    else {
      duplicates.add(entry);
      const message = `duplicate deviceId ${showValue(entry.deviceId)}, first at ${describeWhere(first.at)}`;
      problems.push(problemAt(entry.at, "deviceId", message));
    }
  }
  for (const entry of entries) {
    const parentId = entry.parentId;
    // A duplicate's parent says nothing more (in JSON a sub-device with its gateway's id would be its own parent).
    if (typeof parentId !== "string" || parentId === "" || duplicates.has(entry)) continue;
    const parent = byId.get(parentId);
    let message: string | undefined;
    if (parentId === entry.deviceId) message = "a device cannot be its own parent";
    else if (parent === undefined) message = `no device has deviceId ${showValue(parentId)}`;
    else if (typeof parent.parentId === "string" && parent.parentId !== "") {
      message = `${showValue(parentId)} is itself a sub-device (of ${showValue(parent.parentId)}): a sub-device cannot have sub-devices`;
    }
    if (message !== undefined) problems.push(problemAt(entry.at, "parentId", message));
  }
  return problems;
}

const FLAT_FIELDS = Object.keys(registeredDeviceSchema.shape);

/** Flat entries (`fromDevices`, CSV rows): every field and cross-entry problem, and the valid devices. */
export function checkFlat(entries: ReadonlyArray<{ input: unknown; at: Where }>): {
  devices: RegisteredDevice[];
  problems: RegistryProblem[];
} {
  const devices: RegisteredDevice[] = [];
  const problems: RegistryProblem[] = [];
  for (const { input, at } of entries) {
    const result = registeredDeviceSchema.safeParse(input);
    if (result.success) devices.push(result.data);
    else problems.push(...zodProblems(result.error.issues, at, FLAT_FIELDS));
  }
  const cross = entries.map(({ input, at }) => ({
    at,
    deviceId: rawField(input, "deviceId"),
    parentId: rawField(input, "parentId"),
  }));
  return { devices, problems: sortByLine([...problems, ...crossCheck(cross)]) };
}

/** Stable: problems without a line keep their order. */
export function sortByLine(problems: RegistryProblem[]): RegistryProblem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}
