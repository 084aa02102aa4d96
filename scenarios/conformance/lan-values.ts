import { type LanAttribute, LanAttributeMap } from "../../emulators/device/lan/lan-attributes.ts";
import { loadProfiles } from "../../emulators/profiles/load.ts";
import type { LanResponse } from "../../harness/protocol/md/messages.ts";
import { NotApplicable } from "./clause.ts";

/**
 * Which attributes the Md suite writes (6.2.4): a writable one and a value the device's model allows, other than its
 * current one, from the shipped profile of the model; and one the device must refuse.
 */

export type LanValue = number | string;

/** A change to ask for: `as: {[attribute]: value}`, and the Mc status the attribute is (Mc/Md consistency). */
export interface LanWrite {
  attribute: string;
  value: LanValue;
  serialId: string;
  status: string;
}

const maps = new Map<string, Promise<LanAttributeMap | undefined>>();

/** The attribute map of the shipped profile of `model`, if there is one. */
export function attributeMapOf(model: string): Promise<LanAttributeMap | undefined> {
  let map = maps.get(model);
  if (map === undefined) {
    map = loadProfiles().then((profiles) => {
      const profile = [...profiles.values()].find((p) => p.model === model && p.kind !== "sub-device");
      return profile === undefined ? undefined : LanAttributeMap.of(profile);
    });
    maps.set(model, map);
  }
  return map;
}

/** Values the profile's commands allow for an attribute, as they travel in `as`. */
function allowedValues(attribute: LanAttribute): LanValue[] {
  const texts = attribute.commands.flatMap((c) => [
    ...(c.value === undefined ? [] : [c.value]),
    ...(c.values ?? []),
    ...(c.min === undefined ? [] : [String(c.min)]),
    ...(c.max === undefined ? [] : [String(c.max)]),
  ]);
  return texts.map((text) => (attribute.type === "number" ? Number(text) : text));
}

/**
 * A write that changes the device's state: the first attribute the query shows writable (in `as`, not in `asc`) whose
 * profile allows a value other than the current one. NotApplicable when the model has no profile or nothing to set.
 */
export async function changeFor(model: string, state: LanResponse): Promise<LanWrite> {
  const map = await attributeMapOf(model);
  if (map === undefined)
    throw new NotApplicable(`no profile known for model ${JSON.stringify(model)}: no value known to set`);
  const as = state.as ?? {};
  const asc = state.asc ?? {};
  for (const attribute of map.attributes) {
    const key = String(attribute.number);
    if (attribute.access !== "read-write" || key in asc || !(key in as)) continue;
    const value = allowedValues(attribute).find((v) => v !== as[key]);
    if (value !== undefined)
      return { attribute: key, value, serialId: attribute.serialId, status: attribute.status };
  }
  throw new NotApplicable(`no attribute of model ${JSON.stringify(model)} is writable with another value`);
}

/**
 * An attribute the device must refuse to set (6.2.4): a read-only one (`asc` 1) with its current value, or else a
 * number the query did not name at all.
 */
export function refusedWrite(state: LanResponse): { as: Record<string, LanValue>; why: string } {
  const as = state.as ?? {};
  const asc = state.asc ?? {};
  const readOnly = Object.keys(asc).find((key) => asc[key] === 1 && key in as);
  if (readOnly !== undefined)
    return { as: { [readOnly]: as[readOnly] as LanValue }, why: `read-only attribute ${readOnly} (asc 1)` };
  const named = new Set([...Object.keys(as), ...Object.keys(asc)]);
  let unknown = 65535;
  while (named.has(String(unknown))) unknown--;
  return { as: { [String(unknown)]: 1 }, why: `attribute ${unknown}, which the query did not name` };
}
