import { describe, expect, it } from "vitest";
import { lockEndpointIds } from "../../harness/protocol/lock-api/endpoints.ts";
import { lockApiClauses, lockApiGroups } from "./lock-api-clauses.ts";

/** Every endpoint of the catalogue is called by at least one clause of the lock-API suite; no clause names another. */
describe("the lock-API suite's coverage of the catalogue", () => {
  it("calls every catalogue endpoint in at least one clause", () => {
    const called = new Set(lockApiClauses.flatMap((c) => c.endpoints));
    expect(lockEndpointIds.filter((id) => !called.has(id))).toEqual([]);
    expect([...called].filter((id) => !lockEndpointIds.includes(id))).toEqual([]);
    expect(lockEndpointIds).toHaveLength(63);
  });

  it("numbers each group's clauses in order, L1-L9", () => {
    expect(lockApiGroups.map((g) => g.group)).toEqual(["L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9"]);
    for (const group of lockApiGroups)
      expect(group.clauses.map((c) => c.clause)).toEqual(
        group.clauses.map((_c, i) => `${group.group}.${i + 1}`),
      );
  });
});
