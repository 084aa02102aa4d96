export { RegistryError, type RegistryProblem } from "./errors.ts";
export { loadRegistry, parseRegistryCsv, parseRegistryJson } from "./load.ts";
export { type RegisteredDevice, Registry } from "./registry.ts";
