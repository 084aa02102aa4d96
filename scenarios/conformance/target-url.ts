import { showValue, UsageError } from "../../harness/errors.ts";
import { httpUrlOf } from "../../harness/http/http-url.ts";

/**
 * How a command names the options a target is built from: the conformance commands say `--url`, `--secret`, ...;
 * `hilfarm hostile` says `--lock-api`, `--lock-api-secret`, .... A target's usage errors use the caller's names.
 */
export type OptionNames = Readonly<Record<string, string>>;

/** The command-line name of option `field` (`--field` unless `names` says otherwise). */
export const optionName = (field: string, names: OptionNames = {}): string => names[field] ?? `--${field}`;

/** An `http:` or `https:` URL; a UsageError naming the `url` option and the expected `shape` otherwise. */
export function httpUrl(text: string, shape: string, names: OptionNames = {}): URL {
  const url = httpUrlOf(text);
  if (url === undefined)
    throw new UsageError(
      "url",
      `${optionName("url", names)} must be ${shape} or \`emulated\`, got ${showValue(text)}`,
    );
  return url;
}
