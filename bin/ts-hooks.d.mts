/** What a `load` hook gives Node. */
export interface LoadResult {
  format: string;
  source: string | ArrayBuffer | Uint8Array;
  shortCircuit?: boolean;
}

/** Node's `load` hook: a `.ts` file's source with its types stripped; anything else as `nextLoad` gives it. */
export function load(
  url: string,
  context: object,
  nextLoad: (url: string, context: object) => LoadResult | Promise<LoadResult>,
): Promise<LoadResult>;
