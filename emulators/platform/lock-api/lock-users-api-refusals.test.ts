import { describe, expect, it } from "vitest";
import { type LockEndpointId, lockEndpoints } from "../../../harness/protocol/lock-api/endpoints.ts";
import { ownerIdOf } from "./lock-users.ts";
import { type Envelope, lockWorldPerTest } from "./testing/lock-world.ts";

/** The unlocking-method endpoints' refusals through the vendor's Node SDK, and a Wi-Fi key's attribute. */

const CLIENT_ID = "hilfarmlockclient005";
const SECRET = "5f4e3d2c1b0a99887766554433221100";

const openLockWorld = lockWorldPerTest();

async function start() {
  const world = await openLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  return world;
}

function served<T>(id: LockEndpointId, answer: Envelope<T>): T {
  expect(answer, `${id}: ${answer.msg}`).toMatchObject({ success: true });
  lockEndpoints[id].response.parse(answer.result);
  return answer.result;
}

function refused(answer: Envelope<unknown>, code: number): void {
  expect(answer, JSON.stringify(answer)).toMatchObject({ success: false, code });
}

describe("unlocking methods through the lock API: refusals", () => {
  it("refuses an unknown device (2010), user or key (1000), and bad parameters (1109)", async () => {
    const { call, wifiId } = await start();
    const owner = ownerIdOf(wifiId);
    const requests = (d: string, u: string, no: string) =>
      [
        ["POST", `/v1.0/devices/${d}/device-lock/users/${u}/allocate`, { no, type: "fingerprint" }],
        ["GET", `/v1.0/devices/${d}/door-lock/user-types/2/users/${u}/assigned-keys`],
        [
          "PUT",
          `/v1.0/devices/${d}/door-lock/actions/entry`,
          { user_id: u, user_type: 2, unlock_type: "card" },
        ],
        [
          "DELETE",
          `/v1.0/devices/${d}/door-lock/user-types/2/users/${u}/unlock-types/fingerprint/keys/${no}`,
        ],
        ["PUT", `/v1.0/devices/${d}/door-lock/unlock-types/fingerprint/keys/${no}/hijack`],
        ["DELETE", `/v1.0/smart-lock/devices/${d}/unlock-types/unlock_fingerprint/keys/${no}/hijack`],
        ["POST", `/v1.0/smart-lock/devices/${d}/opmodes/${no}/attribute/1/opmode-attr`, { enabled: true }],
      ] as const;
    const send = (r: readonly [string, string, object?]) =>
      call({ method: r[0] as "GET", path: r[1], ...(r[2] === undefined ? {} : { body: r[2] }) });
    for (const r of requests("nope", "x", "1")) refused(await send(r), 2010);
    refused(await call({ method: "GET", path: "/v1.0/devices/nope/door-lock/unassigned-keys" }), 2010);
    refused(
      await call({ method: "PUT", path: "/v1.0/devices/nope/door-lock/unlock-types/card/actions/cancel" }),
      2010,
    );
    // A user the lock does not have (the first four name one), then a key it does not hold.
    for (const r of requests(wifiId, `${wifiId}-u9`, "1").slice(0, 4)) refused(await send(r), 1000);
    const user = (
      await call<{ user_id: string }>({
        method: "POST",
        path: `/v1.0/devices/${wifiId}/user`,
        body: { nick_name: "x", sex: 1 },
      })
    ).result.user_id;
    for (const r of [...requests(wifiId, user, "99").slice(0, 1), ...requests(wifiId, user, "99").slice(3)])
      refused(await send(r), 1000);

    const door = `/v1.0/devices/${wifiId}/door-lock`;
    for (const [method, path, body, query] of [
      ["POST", `/v1.0/devices/${wifiId}/device-lock/users/${user}/allocate`, { no: "1", type: "vein" }],
      ["POST", `/v1.0/devices/${wifiId}/device-lock/users/${user}/allocate`, { no: "one", type: "card" }],
      ["GET", `${door}/user-types/3/users/${user}/assigned-keys`],
      ["GET", `${door}/user-types/1/users/${user}/assigned-keys`],
      ["GET", `${door}/unassigned-keys`, undefined, { unlock_type: "vein" }],
      ["PUT", `${door}/actions/entry`, { user_id: user, user_type: 2, unlock_type: "vein" }],
      ["PUT", `${door}/actions/entry`, { user_id: owner, user_type: 2, unlock_type: "card" }],
      ["PUT", `${door}/unlock-types/vein/actions/cancel`],
      ["PUT", `${door}/unlock-types/vein/keys/1/hijack`],
      ["DELETE", `/v1.0/smart-lock/devices/${wifiId}/unlock-types/unlock_face/keys/1/hijack`],
      ["POST", `/v1.0/smart-lock/devices/${wifiId}/opmodes/1/attribute/2/opmode-attr`, {}],
    ] as const)
      refused(
        await call({
          method: method as "GET",
          path,
          ...(body === undefined ? {} : { body }),
          ...(query === undefined ? {} : { query }),
        }),
        1109,
      );
    expect(
      served(
        "setOpmodeAttribute",
        await call({
          method: "POST",
          path: `/v1.0/smart-lock/devices/${wifiId}/opmodes/1/attribute/2/opmode-attr`,
          body: { enabled: true },
        }),
      ),
    ).toBe(true);
  });
});
