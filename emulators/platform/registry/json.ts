import {
  type CrossEntry,
  crossCheck,
  joinPath,
  lineProperty,
  passed,
  rawField,
  sortByLine,
  zodProblems,
} from "./check.ts";
import { RegistryError, type RegistryProblem } from "./errors.ts";
import { jsonValueLines, lineOfPath } from "./json-lines.ts";
import { type RegisteredDevice, Registry } from "./registry.ts";
import { jsonDeviceSchema, jsonRootSchema, jsonSubDeviceSchema } from "./schema.ts";

const ROOT_FIELDS = Object.keys(jsonRootSchema.shape);
const DEVICE_FIELDS = Object.keys(jsonDeviceSchema.shape);
const SUB_DEVICE_FIELDS = DEVICE_FIELDS.filter((field) => field !== "subDevices");

/**
 * `{"devices":[{"deviceId","pin","bindKey","model","subDevices":[{"deviceId","pin","model"}]}]}`; sub-devices
 * follow their gateway in the registry with `parentId` = the gateway's deviceId.
 */
export function parseRegistryJson(text: string, file: string): Registry {
  const source = text.replace(/^\uFEFF/, "");
  let data: unknown;
  try {
    data = JSON.parse(source);
  } catch (error) {
    throw new RegistryError([syntaxProblem(error, source, file)]);
  }
  const checked = checkJson(data, file);
  const devices = passed(checked.devices, checked.problems);
  if (devices !== undefined) return Registry.fromChecked(devices);
  // Problems name the line of their value: the file is read again with every value's line, which only a file with
  // problems pays for (a 100,000-device registry's paths and lines are most of its parse).
  const lines = jsonValueLines(source);
  throw new RegistryError(checkJson(data, file, (path) => lineOfPath(lines, path)).problems);
}

/** Every device of a parsed registry file and every problem, each problem at its line when `lineOf` is given. */
function checkJson(
  data: unknown,
  file: string,
  lineOf?: (path: string) => number | undefined,
): { devices: RegisteredDevice[]; problems: RegistryProblem[] } {
  const root = jsonRootSchema.safeParse(data);
  if (!root.success)
    return { devices: [], problems: zodProblems(root.error.issues, { file, path: "" }, ROOT_FIELDS, lineOf) };

  const devices: RegisteredDevice[] = [];
  const problems: RegistryProblem[] = [];
  const cross: CrossEntry[] = [];
  const entry = (path: string, input: unknown, parentId: unknown): CrossEntry => ({
    at: { file, path, ...lineProperty(lineOf?.(joinPath(path, ["deviceId"]))) },
    deviceId: rawField(input, "deviceId"),
    parentId,
  });

  root.data.devices.forEach((input, index) => {
    const path = `devices[${index}]`;
    const gateway = jsonDeviceSchema.safeParse(input);
    const gatewayId = rawField(input, "deviceId");
    cross.push(entry(path, input, undefined));
    if (gateway.success) {
      const { subDevices: _, ...device } = gateway.data;
      devices.push(device);
    } else problems.push(...zodProblems(gateway.error.issues, { file, path }, DEVICE_FIELDS, lineOf));

    const subDevices = rawField(input, "subDevices");
    if (!Array.isArray(subDevices)) return;
    subDevices.forEach((subInput: unknown, subIndex) => {
      const subPath = `${path}.subDevices[${subIndex}]`;
      const sub = jsonSubDeviceSchema.safeParse(subInput);
      cross.push(entry(subPath, subInput, gatewayId));
      if (sub.success) {
        const { subDevices: _, ...device } = sub.data;
        devices.push({ ...device, parentId: String(gatewayId) });
      } else {
        problems.push(...zodProblems(sub.error.issues, { file, path: subPath }, SUB_DEVICE_FIELDS, lineOf));
      }
    });
  });

  problems.push(...crossCheck(cross));
  return { devices, problems: sortByLine(problems) };
}

/**
 * V8 may quote the text around the error (`Unexpected token 'Z', ..."pin": Zq7x"... is not valid JSON`), which
 * can be a PIN: such a message is replaced, the others lose only their position.
 */
function syntaxProblem(error: unknown, source: string, file: string): RegistryProblem {
  const raw = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(raw)?.[1];
  const reason = raw.includes("is not valid JSON")
    ? "unexpected text"
    : raw.replace(/ at position \d+.*$/s, "");
  const problem: RegistryProblem = { file, field: "json", message: `not valid JSON: ${reason}` };
  if (position !== undefined) problem.line = source.slice(0, Number(position)).split("\n").length;
  else if (raw.includes("end of JSON")) problem.line = source.trimEnd().split("\n").length;
  return problem;
}
