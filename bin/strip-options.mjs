// How hilfarm's TypeScript becomes JavaScript, whether file by file (bin/ts-hooks.mjs) or bundled (bin/bundle.mjs):
// types stripped, the code as written for this Node, an inline source map so that stack traces name the `.ts` line.
export const tsconfigRaw = {
  compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true },
};
export const target = `node${process.versions.node}`;
