import { describe, expect, it } from "vitest";
import { decryptTicketKey, encryptPassword } from "../../../harness/protocol/lock-api/password-crypto.ts";
import { type Envelope, type LockWorld, lockWorldPerTest } from "./testing/lock-world.ts";

/**
 * The lock API as its users meet it: the vendor's own Node SDK (2.1.2), unchanged, pointed at the platform's
 * lock-api surface, over the platform's emulated locks on a virtual clock that starts at the real time (the SDK
 * signs with `Date.now()`; the tolerance for `t` is widened to an hour, as virtual time runs ahead of it).
 */

const CLIENT_ID = "hilfarmlockclient001";
const SECRET = "7c1f0e2d3b4a59687766554433221100";

const openLockWorld = lockWorldPerTest();

async function lockWorld() {
  const world = await openLockWorld({ clientId: CLIENT_ID, secret: SECRET });
  return world;
}

type Call = LockWorld["call"];

/** A ticket, then the password sent under its key, as every app does (seed, "Encrypt passwords"). */
async function createPassword(
  call: Call,
  deviceId: string,
  digits: string,
  extra: Record<string, unknown> = {},
) {
  const ticket = await call<{ ticket_id: string; ticket_key: string }>({
    method: "POST",
    path: `/v1.0/devices/${deviceId}/door-lock/password-ticket`,
  });
  expect(ticket.success).toBe(true);
  const key = decryptTicketKey(ticket.result.ticket_key, SECRET);
  if (!key.ok) throw key.error;
  const nowS = Math.floor(Date.now() / 1000);
  return call<{ id: number }>({
    method: "POST",
    path: `/v1.0/devices/${deviceId}/door-lock/temp-password`,
    body: {
      name: "guest",
      password: encryptPassword(digits, key.value),
      password_type: "ticket",
      ticket_id: ticket.result.ticket_id,
      effective_time: nowS - 60,
      invalid_time: nowS + 86_400,
      ...extra,
    },
  });
}

/** Polls the password as the seed's caller does, until it is no longer being configured (at most 25 s). */
async function pollDelivery(w: LockWorld["w"], call: Call, deviceId: string, id: number) {
  const start = w.clock.now();
  for (;;) {
    const got = await call<{ delivery_status: number; phase: number }>({
      method: "GET",
      path: `/v1.0/devices/${deviceId}/door-lock/temp-password/${id}`,
    });
    if (got.result.delivery_status !== 1 || w.clock.now() - start >= 25_000)
      return { ...got.result, waitedMs: w.clock.now() - start };
    await w.clock.advanceAsync(1_000);
  }
}

describe("the lock API through the vendor's Node SDK", () => {
  it("a Wi-Fi lock: token, ticket, temporary password delivered, typed at the lock, and read back in the open logs", async () => {
    const { w, call, wifiId } = await lockWorld();
    const created = await createPassword(call, wifiId, "1234567");
    expect(created).toMatchObject({ success: true, result: { id: expect.any(Number) } });
    const id = created.result.id;
    expect(await pollDelivery(w, call, wifiId, id)).toMatchObject({ delivery_status: 2, phase: 2 });

    expect(await w.clock.runUntilSettled(w.device("smart-lock").typeCode("1234567"))).toMatchObject({
      kind: "open",
    });
    await w.clock.runUntil(() =>
      (w.platform.store.get(wifiId)?.events ?? []).some((e) => e.body.eventName === "LOCK_OPEN"),
    );
    const logs = await call<{ total: number; logs: Array<{ status: { code: string; value: string } }> }>({
      method: "GET",
      path: `/v1.0/devices/${wifiId}/door-lock/open-logs`,
      query: {
        page_no: 1,
        page_size: 10,
        start_time: Math.floor(Date.now() / 1000) - 3600,
        end_time: Math.floor(w.clock.now() / 1000) + 3600,
      },
    });
    expect(logs.msg).toBeUndefined();
    expect(logs.result.total).toBe(1);
    expect(logs.result.logs[0]?.status).toEqual({ code: "unlock_temporary", value: String(id) });

    const list = await call<Array<{ password_id: number }>>({
      method: "GET",
      path: `/v1.0/devices/${wifiId}/door-lock/temp-passwords`,
      query: { valid: true },
    });
    expect(list.result.map((p) => p.password_id)).toEqual([id]);
    expect(JSON.stringify(list)).not.toContain("1234567");
  });

  it("a Zigbee lock: delivered through its gateway; and failure within 25 s when the lock does not answer", async () => {
    const { w, call, zigbeeId, gateway, typeAtZigbee } = await lockWorld();
    const ok = await createPassword(call, zigbeeId, "654321", { type: 0 });
    expect(await pollDelivery(w, call, zigbeeId, ok.result.id)).toMatchObject({
      delivery_status: 2,
      phase: 2,
    });
    expect(await typeAtZigbee("654321")).toMatchObject({ kind: "open" });

    gateway.misbehaviour.subDeviceSilentTries = 4;
    const silent = await createPassword(call, zigbeeId, "112233", { type: 1 });
    const outcome = await pollDelivery(w, call, zigbeeId, silent.result.id);
    expect(outcome).toMatchObject({ delivery_status: 3, phase: 5 });
    expect(outcome.waitedMs).toBeLessThan(25_000);
  });

  it("refuses with the seed's codes, HTTP 200 and success false: digits, ticket reuse, Zigbee type, unknown device, an endpoint not served", async () => {
    const { call, wifiId, zigbeeId } = await lockWorld();
    expect(await createPassword(call, wifiId, "123456")).toMatchObject({ success: false, code: 1101 });
    expect(await createPassword(call, zigbeeId, "123456")).toMatchObject({
      success: false,
      code: 1100,
      msg: expect.stringMatching(/type/),
    });
    expect(
      await call({ method: "POST", path: "/v1.0/devices/nope/door-lock/password-ticket" }),
    ).toMatchObject({ success: false, code: 2010 });
    // A ticket opens one password only.
    const ticket = await call<{ ticket_id: string; ticket_key: string }>({
      method: "POST",
      path: `/v1.0/devices/${wifiId}/door-lock/password-ticket`,
    });
    const key = decryptTicketKey(ticket.result.ticket_key, SECRET);
    if (!key.ok) throw key.error;
    const nowS = Math.floor(Date.now() / 1000);
    const body = {
      name: "once",
      password: encryptPassword("7654321", key.value),
      password_type: "ticket",
      ticket_id: ticket.result.ticket_id,
      effective_time: nowS,
      invalid_time: nowS + 600,
    };
    const path = `/v1.0/devices/${wifiId}/door-lock/temp-password`;
    expect(await call({ method: "POST", path, body })).toMatchObject({ success: true });
    expect(await call({ method: "POST", path, body })).toMatchObject({ success: false, code: 1109 });
  });

  it("refuses raw requests with a wrong signature, a stale t, or no token", async () => {
    const { baseUrl } = await lockWorld();
    const raw = async (headers: Record<string, string>) =>
      (await (
        await fetch(`${baseUrl}/v1.0/devices/x/door-lock/temp-passwords`, { headers })
      ).json()) as Envelope<unknown>;
    const t = String(Date.now());
    expect(await raw({})).toMatchObject({ success: false, code: 1105 });
    expect(await raw({ client_id: CLIENT_ID, t, sign: "00", sign_method: "HMAC-SHA256" })).toMatchObject({
      success: false,
      code: 1004,
    });
    expect(await raw({ client_id: "someone", t, sign: "00", sign_method: "HMAC-SHA256" })).toMatchObject({
      success: false,
      code: 1005,
    });
    const stale = String(Date.now() - 2 * 3_600_000);
    expect(
      await raw({ client_id: CLIENT_ID, t: stale, sign: "00", sign_method: "HMAC-SHA256" }),
    ).toMatchObject({
      success: false,
    });
  });
});
