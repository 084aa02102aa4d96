import type { CRequest } from "../../../harness/protocol/c/interfaces.ts";
import type { BodyOf } from "../../../harness/protocol/mc/schemas/index.ts";
import type { ResourceSerials } from "../state-store.ts";

/**
 * Chapter 7's records in the shapes the state store keeps for Mc devices (5.4.3.3, 5.4.3.5), so that a device behind
 * the third-party platform reads, and fans out, as an Mc device does.
 */

type StatusInfo = CRequest<"C16">["status"][number];
type ResourceList = NonNullable<CRequest<"C16">["resource"]>[number];
type ResourceChangeList = CRequest<"C17">["resource"][number];

/** StatusInfo (7.3.1.6) -> `statusSerials` (5.4.3.3): `{serialId, name, value}` by line. */
export function statusSerials(status: readonly StatusInfo[]): BodyOf<2006>["statusSerials"] {
  const lines = new Map<string, Array<{ statusName: string; curStatusValue: string }>>();
  for (const { serialId, name, value } of status) {
    const line = lines.get(serialId) ?? [];
    line.push({ statusName: name, curStatusValue: value });
    lines.set(serialId, line);
  }
  return [...lines].map(([serialId, statusSerial]) => ({ serialId, statusSerial }));
}

function bySerial(
  lists: ReadonlyArray<{ serialId: string; resName: string; resInfo: Array<Record<string, string>> }>,
): ResourceSerials {
  const lines = new Map<string, ResourceSerials[number]["resourceSerial"]>();
  for (const { serialId, resName, resInfo } of lists) {
    const line = lines.get(serialId) ?? [];
    line.push({ resourceName: resName, resourceInfo: resInfo });
    lines.set(serialId, line);
  }
  return [...lines].map(([serialId, resourceSerial]) => ({ serialId, resourceSerial }));
}

/** ResourceList (7.3.1.6) -> `resourceSerials` (5.4.3.3). */
export function resourceSerials(resource: readonly ResourceList[]): ResourceSerials {
  return bySerial(resource.map((r) => ({ ...r, resInfo: r.resInfo.map((entry) => ({ ...entry })) })));
}

/** ResourceList of a change (7.3.1.7): `mode` 1 add, 2 modify, 3 delete -> the `MODE` of 5.4.3.5. */
export function resourceChanges(resource: readonly ResourceChangeList[]): ResourceSerials {
  return bySerial(
    resource.map((r) => ({
      ...r,
      resInfo: r.resInfo.map(({ mode, ...keys }) => ({ MODE: mode, ...(keys as Record<string, string>) })),
    })),
  );
}
