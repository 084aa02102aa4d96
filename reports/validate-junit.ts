import { readFile } from "node:fs/promises";
import { validateXML } from "xmllint-wasm";

/** Validates JUnit XML against `reports/junit.xsd` (libxml2's validator, as WebAssembly): the errors, or none. */
export async function junitSchemaErrors(xml: string): Promise<string[]> {
  const schema = await readFile(new URL("./junit.xsd", import.meta.url), "utf8");
  const result = await validateXML({
    xml: [{ fileName: "junit.xml", contents: xml }],
    schema: [{ fileName: "junit.xsd", contents: schema }],
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}
