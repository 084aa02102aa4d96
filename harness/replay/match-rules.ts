import { showValue, UsageError } from "../errors.ts";
import { isSecretField, maskSecrets, REDACTED } from "../secrets.ts";

/**
 * How a replay compares one field of a recorded answer with the answer it got:
 * - `equal`: same value (the default for every field without a rule);
 * - `any`: present, any value;
 * - `time`: a whole number of seconds, as a number or a decimal string like the recorded value (the spec's Linux
 *   timestamps, and times inside event details: each run has its own clock);
 * - `secret`: a non-empty string (tokens and session keys are new in every session, and masked in recordings);
 * - `address`: `host:port` (connection servers move between runs);
 * - `sequence`: a decimal string 0-65535 (answers are matched to their request by sequence before any field is read);
 * - `ignore`: not compared, present or not.
 */
export type MatchRule = "equal" | "any" | "time" | "secret" | "address" | "sequence" | "ignore";

export const matchRuleNames: readonly MatchRule[] = [
  "equal",
  "any",
  "time",
  "secret",
  "address",
  "sequence",
  "ignore",
];

/**
 * A rule for a field, in every packet type or in one (`1005.heartBeat`): a bare name (`time`) is that field at any
 * depth, a dotted path (`cmd.0.cmdParam`) that one place.
 */
export interface FieldRule {
  code?: number;
  path: string;
  rule: MatchRule;
}

/** Fields that legitimately change from one session to the next, matched by rule rather than by value. */
export const defaultFieldRules: readonly FieldRule[] = [
  { path: "time", rule: "time" },
  // Event details carry the moment of the event (a lock's LOCK_OPEN, for one).
  { path: "TIME", rule: "time" },
  { path: "sequence", rule: "sequence" },
  { path: "token", rule: "secret" },
  { path: "sessionKey", rule: "secret" },
  { path: "tcpHost", rule: "address" },
  { path: "udpHost", rule: "address" },
  // A human-readable description next to a result code: platforms word it as they like.
  { path: "dscp", rule: "any" },
];

/** `[code.]path=rule`, as `--match` takes it: `1005.heartBeat=any`, `dscp=equal`, `status.0.curStatusValue=ignore`. */
export function parseFieldRule(text: string): FieldRule {
  const at = text.lastIndexOf("=");
  const rule = text.slice(at + 1) as MatchRule;
  if (at <= 0 || !matchRuleNames.includes(rule))
    throw new UsageError(
      "match",
      `--match ${showValue(text)}: expected [code.]field=rule with rule one of ${matchRuleNames.join(", ")}`,
    );
  const target = text.slice(0, at);
  const code = /^(\d{4})\.(.+)$/.exec(target);
  return code?.[1] !== undefined && code[2] !== undefined
    ? { code: Number(code[1]), path: code[2], rule }
    : { path: target, rule };
}

/** One field where the answer differs from the recording. */
export interface FieldDifference {
  path: string;
  rule: MatchRule;
  /** As recorded and as received, secrets masked; undefined = absent. */
  recorded: unknown;
  replayed: unknown;
}

/** The rule for a field: the last one given that applies (a run's own come after the defaults); `equal` otherwise. */
export function ruleFor(code: number, path: string, rules: readonly FieldRule[]): MatchRule {
  for (let i = rules.length - 1; i >= 0; i--) {
    const r = rules[i] as FieldRule;
    if (applies(r, code, path)) return r.rule;
  }
  return "equal";
}

function applies(rule: FieldRule, code: number, path: string): boolean {
  if (rule.code !== undefined && rule.code !== code) return false;
  return rule.path === path || (!rule.path.includes(".") && path.endsWith(`.${rule.path}`));
}

/** Every field (leaf, by dotted path) whose received value breaks its rule, in the recorded body's order. */
export function compareBodies(
  code: number,
  recorded: Record<string, unknown>,
  replayed: Record<string, unknown>,
  rules: readonly FieldRule[],
): FieldDifference[] {
  const differences: FieldDifference[] = [];
  const ruled = (path: string) =>
    rules.some((r) => r.path === path && (r.code === undefined || r.code === code));
  walk(recorded, replayed, "", ruled, (path, name, was, got) => {
    const rule = ruleFor(code, path, rules);
    const masked = was === REDACTED || isSecretField(name);
    if (!holds(masked && rule === "equal" ? "secret" : rule, was, got))
      differences.push({
        path,
        rule,
        recorded: masked ? was : maskSecrets(was),
        replayed: masked && typeof got === "string" ? REDACTED : maskSecrets(got),
      });
  });
  return differences;
}

/** One line per difference: `result: recorded 0, got 899999 (equal)`. */
export function describeDifference(d: FieldDifference): string {
  const show = (v: unknown) => (v === undefined ? "absent" : showValue(v));
  return `${d.path}: recorded ${show(d.recorded)}, got ${show(d.replayed)}${d.rule === "equal" ? "" : ` (rule ${d.rule})`}`;
}

type Visit = (path: string, name: string, recorded: unknown, replayed: unknown) => void;

/** Visits every leaf of either body; a path with a rule of its own is a leaf even when it holds an object. */
function walk(
  recorded: unknown,
  replayed: unknown,
  prefix: string,
  ruled: (path: string) => boolean,
  visit: Visit,
): void {
  const keys = new Set([...keysOf(recorded), ...keysOf(replayed)]);
  for (const key of keys) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    const was = childOf(recorded, key);
    const got = childOf(replayed, key);
    if (isBranch(was) && isBranch(got) && Array.isArray(was) === Array.isArray(got) && !ruled(path))
      walk(was, got, path, ruled, visit);
    else visit(path, key, was, got);
  }
}

function isBranch(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function keysOf(value: unknown): string[] {
  return isBranch(value) ? Object.keys(value) : [];
}

function childOf(value: unknown, key: string): unknown {
  return isBranch(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function holds(rule: MatchRule, recorded: unknown, replayed: unknown): boolean {
  if (rule === "ignore") return true;
  if (recorded === undefined) return replayed === undefined;
  if (replayed === undefined) return false;
  switch (rule) {
    case "equal":
      return JSON.stringify(recorded) === JSON.stringify(replayed);
    case "any":
      return true;
    case "time":
      return typeof recorded === "string"
        ? typeof replayed === "string" && /^\d+$/.test(replayed)
        : typeof replayed === "number" && Number.isInteger(replayed) && replayed >= 0;
    case "secret":
      return typeof replayed === "string" && replayed.length > 0;
    case "address":
      return typeof replayed === "string" && /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/.test(replayed);
    case "sequence":
      return typeof replayed === "string" && /^\d{1,5}$/.test(replayed) && Number(replayed) <= 65535;
  }
}
