import { describe, expect, it } from "vitest";
import { memberIdOf, ownerIdOf } from "./lock-users.ts";
import { enrolledPassword, eventsOf, keyList, refused, served, setAtPanel } from "./testing/lock-users.ts";
import { type LockWorld, lockWorldPerTest } from "./testing/lock-world.ts";

/** Unlocking methods by the cloud (opmodes) and records of an access control device, through the vendor's Node SDK. */

const CLIENT_ID = "hilfarmlockclient012";
const SECRET = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

const openLockWorld = lockWorldPerTest();

async function start() {
  const world = await openLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  return world;
}

interface Opmode {
  user_id: string;
  user_type: number;
  unlock_name: string;
  dp_code: string;
  unlock_sn: number;
  allocate_flag: number;
}

interface LockRecordShown {
  record_id: string;
  record_type: string;
  dps: Array<Record<string, string>>;
  user_id: string;
  user_name: string;
  unlock_name: string;
  member_bindable_flag: number;
  gmt_create: number;
}

const opmodes = async (w: LockWorld, deviceId: string, userId: string, codes = "", name = "") =>
  served(
    "listUserOpmodes",
    await w.call<Opmode[]>({
      method: "GET",
      path: `/v1.0/smart-lock/devices/${deviceId}/opmodes/${userId}`,
      query: { codes, unlock_name: name, page_no: 1, page_size: 10 },
    }),
  );

const records = async (w: LockWorld, deviceId: string, codes: string, start = 0, end = 0) =>
  served(
    "listRecords",
    await w.call<{ total: number; records: LockRecordShown[] }>({
      method: "GET",
      path: `/v1.0/devices/${deviceId}/door-lock/records`,
      query: { target_standard_dp_codes: codes, start_time: start, end_time: end, page_no: 1, page_size: 10 },
    }),
  );

describe("unlocking methods by the cloud (opmodes)", () => {
  it("allocates keys to a user, renames one at the lock, syncs a key set at the lock's panel", async () => {
    const w = await start();
    const acs = w.ids["wifi-access-control"];
    const member = memberIdOf(acs);
    const base = `/v1.0/devices/${acs}/door-lock`;
    const allocate = (user: string, list: object[]) =>
      w.call({
        method: "POST",
        path: `${base}/opmodes/actions/allocate`,
        body: { user_id: user, unlock_list: list },
      });
    expect(await opmodes(w, acs, member)).toEqual([]);
    expect(
      served("allocateOpmodes", await allocate(member, [{ dp_code: "unlock_fingerprint", unlock_sn: 1 }])),
    ).toBe(true);
    const no = await enrolledPassword(w, acs, member, "5551212");
    expect(
      (await opmodes(w, acs, member)).map((o) => [o.dp_code, o.unlock_sn, o.allocate_flag, o.user_type]),
    ).toEqual([
      ["unlock_fingerprint", 1, 1, 20],
      ["unlock_password", Number(no), 0, 20],
    ]);
    expect((await opmodes(w, acs, member, "unlock_password")).map((o) => o.unlock_sn)).toEqual([Number(no)]);

    // The name goes to the lock, and is read back from its report.
    expect(
      served(
        "renameOpmode",
        await w.call({
          method: "PUT",
          path: `${base}/opmodes/1`,
          body: { dp_code: "unlock_fingerprint", unlock_name: "hall finger" },
        }),
      ),
    ).toBe(true);
    await w.w.clock.runUntil(() =>
      keyList(w, acs).some((k) => k.KEY_ID === "1" && k.KEY_NAME === "hall finger"),
    );
    expect((await opmodes(w, acs, member, "", "hall")).map((o) => [o.unlock_sn, o.unlock_name])).toEqual([
      [1, "hall finger"],
    ]);
    refused(
      await w.call({
        method: "PUT",
        path: `${base}/opmodes/9`,
        body: { dp_code: "unlock_card", unlock_name: "x" },
      }),
      1000,
    );

    // A code set at the panel is unknown to the cloud until a sync reads the lock's keys.
    setAtPanel(w, "access-control", "8", "9990001");
    refused(await allocate(ownerIdOf(acs), [{ dp_code: "unlock_password", unlock_sn: 8 }]), 1000);
    expect(
      served(
        "syncOpmodes",
        await w.call({
          method: "POST",
          path: `/v1.0/smart-lock/devices/${acs}/opmodes/actions/sync`,
          body: { codes: "unlock_password" },
        }),
      ),
    ).toBe(true);
    await w.w.clock.runUntil(() => keyList(w, acs).some((k) => k.KEY_ID === "8"));
    served("allocateOpmodes", await allocate(ownerIdOf(acs), [{ dp_code: "unlock_password", unlock_sn: 8 }]));
    expect(
      (await opmodes(w, acs, ownerIdOf(acs))).map((o) => [o.unlock_sn, o.unlock_name, o.user_type]),
    ).toEqual([[8, "panel code", 50]]);

    refused(await allocate(`${acs}-u9`, [{ dp_code: "unlock_fingerprint", unlock_sn: 1 }]), 1000);
    refused(await allocate(member, [{ dp_code: "unlock_vein", unlock_sn: 1 }]), 1109);
    refused(
      await w.call({
        method: "GET",
        path: `/v1.0/smart-lock/devices/${acs}/opmodes/${acs}-u9`,
        query: { codes: "", unlock_name: "", page_no: 1, page_size: 10 },
      }),
      1000,
    );
  });
});

describe("records of an access control device", () => {
  it("lists a code typed at the lock and links the record with a user", async () => {
    const w = await start();
    const acs = w.ids["wifi-access-control"];
    const member = memberIdOf(acs);
    const device = w.w.device("access-control");
    setAtPanel(w, "access-control", "7", "4443332");
    expect(await w.w.clock.runUntilSettled(device.typeCode("4443332"))).toMatchObject({
      kind: "open",
      keyId: "7",
    });
    await w.w.clock.runUntil(() => eventsOf(w, acs, "LOCK_OPEN").length === 1);
    const first = await records(w, acs, "unlock_password,unlock_card");
    expect(first.total).toBe(1);
    const record = first.records[0];
    expect(record).toMatchObject({
      record_type: "normal",
      dps: [{ unlock_password: "7" }],
      user_id: "",
      member_bindable_flag: 1,
    });
    const recordId = record?.record_id ?? "";
    const link = (id: string, user: string | number) =>
      w.call({
        method: "POST",
        path: `/v1.0/devices/${acs}/door-lock/records/${id}/actions/allocate`,
        body: { userId: user },
      });
    refused(await link(recordId, `${acs}-u9`), 1000);
    refused(await link("1-0", member), 1000);
    expect(served("allocateRecord", await link(recordId, member))).toBe(true);
    expect((await records(w, acs, "unlock_password")).records[0]).toMatchObject({
      record_id: recordId,
      user_id: member,
      user_name: "member",
      member_bindable_flag: 0,
    });
    refused(await link(recordId, ownerIdOf(acs)), 1109);

    // A password of the owner opens: its record is the owner's at once; time bounds and codes filter.
    await enrolledPassword(w, acs, ownerIdOf(acs), "1212343");
    expect(await w.w.clock.runUntilSettled(device.typeCode("1212343"))).toMatchObject({ kind: "open" });
    await w.w.clock.runUntil(() => eventsOf(w, acs, "LOCK_OPEN").length === 2);
    const both = await records(w, acs, "unlock_password");
    expect(both.records.map((r) => [r.user_id, r.member_bindable_flag])).toEqual([
      [ownerIdOf(acs), 0],
      [member, 0],
    ]);
    const newest = both.records[0]?.gmt_create ?? 0;
    expect((await records(w, acs, "unlock_password", newest)).records.map((r) => r.user_id)).toEqual([
      ownerIdOf(acs),
    ]);
    expect((await records(w, acs, "unlock_password", 0, newest - 1)).records.map((r) => r.user_id)).toEqual([
      member,
    ]);
    expect((await records(w, acs, "unlock_fingerprint")).total).toBe(0);

    // Wrong codes until the lock raises its alarm: an alarm record, not linkable.
    for (let i = 0; i < 5; i++) await w.w.clock.runUntilSettled(device.typeCode("0000000"));
    await w.w.clock.runUntil(() => eventsOf(w, acs, "WRONG_CODE").length === 1);
    const alarms = await records(w, acs, "alarm_lock");
    expect(alarms.records.map((r) => [r.record_type, r.dps, r.member_bindable_flag])).toEqual([
      ["alarm", [{ alarm_lock: "wrong_password" }], 0],
    ]);
    refused(await link(alarms.records[0]?.record_id ?? "", member), 1109);
  });
});
