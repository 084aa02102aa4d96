// How hilfarm's TypeScript becomes JavaScript, whether file by file (bin/ts-hooks.mjs) or bundled (bin/bundle.mjs):
// types stripped, class fields and imports as TypeScript's settings below say, the code as written for this Node.
export const tsconfigRaw = {
  compilerOptions: { verbatimModuleSyntax: true, useDefineForClassFields: true },
};
export const target = `node${process.versions.node}`;
