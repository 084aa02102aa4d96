/** Node's `load` hook: a `.ts` file's source with its types stripped; anything else goes to `nextLoad`. */
export function load(
  url: string,
  context: object,
  nextLoad: (url: string, context: object) => unknown,
): Promise<{ format: string; source: string; shortCircuit: boolean }>;
