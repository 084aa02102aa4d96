import { lockApiErrors } from "../../harness/protocol/lock-api/errors.ts";
import { eachOf } from "./c-probe.ts";
import type { LockClause } from "./lock-api-clause.ts";
import { call, expectRefusal, send } from "./lock-api-client.ts";
import { digitsFor, lockOf, sealed, validity } from "./lock-api-passwords.ts";

/**
 * L5, refusals (the vendor's global error codes, errors.ts): a device the caller does not have is 2010 on every
 * device call, a path no endpoint has is 1108, and a parameter of the wrong type is 1109 with `msg` naming it.
 */

const NO_DEVICE = "hilfarmnosuchdevice0";

export const refusalClauses: readonly LockClause[] = [
  {
    clause: "L5.1",
    endpoints: ["getPasswordTicket", "listTempPasswords", "getTempPassword", "listOpenLogs", "listAlarmLogs"],
    title: `refusals: every device call on a device the client does not have is refused ${lockApiErrors.deviceNotExist.code} (device not exist)`,
    run: async (target) => {
      const nowS = Math.floor(target.clock.now() / 1000);
      const calls = {
        getPasswordTicket: () => call(target, "getPasswordTicket", { device_id: NO_DEVICE }),
        listTempPasswords: () => call(target, "listTempPasswords", { device_id: NO_DEVICE }),
        getTempPassword: () => call(target, "getTempPassword", { device_id: NO_DEVICE, password_id: 1 }),
        listOpenLogs: () =>
          call(
            target,
            "listOpenLogs",
            { device_id: NO_DEVICE },
            { query: { page_no: 1, page_size: 10, start_time: nowS - 3600, end_time: nowS } },
          ),
        listAlarmLogs: () =>
          call(target, "listAlarmLogs", { device_id: NO_DEVICE }, { query: { page_no: 1, page_size: 10 } }),
      } as const;
      await eachOf(Object.keys(calls) as Array<keyof typeof calls>, async (id) =>
        expectRefusal(await calls[id](), lockApiErrors.deviceNotExist.code, `${id} of ${NO_DEVICE}`),
      );
    },
  },
  {
    clause: "L5.2",
    endpoints: [],
    title: `refusals: a path no endpoint has is refused ${lockApiErrors.uriPathInvalid.code} (uri path invalid)`,
    run: async (target) => {
      const device = Object.values(target.locks)[0] ?? NO_DEVICE;
      expectRefusal(
        await send(target, { method: "GET", path: `/v1.0/devices/${device}/door-lock/no-such-endpoint` }),
        lockApiErrors.uriPathInvalid.code,
        "GET .../door-lock/no-such-endpoint",
      );
    },
  },
  {
    clause: "L5.3",
    endpoints: ["createTempPassword", "listOpenLogs"],
    title: `refusals: a parameter of the wrong type is refused ${lockApiErrors.paramIllegal.code} with msg naming it`,
    run: async (target) => {
      const deviceId = lockOf(target, "wifi");
      const nowS = Math.floor(target.clock.now() / 1000);
      const body = {
        name: "L5.3",
        ...(await sealed(target, deviceId, digitsFor(target, "wifi"))),
        ...validity(target),
        effective_time: "soon",
        type: 0,
      };
      const cases = [
        {
          field: "effective_time",
          ask: () => call(target, "createTempPassword", { device_id: deviceId }, { body }),
        },
        {
          field: "page_size",
          ask: () =>
            call(
              target,
              "listOpenLogs",
              { device_id: deviceId },
              { query: { page_no: 1, page_size: "many", start_time: nowS - 3600, end_time: nowS } },
            ),
        },
      ];
      await eachOf(
        cases.map((c) => c.field),
        async (field) => {
          const found = cases.find((c) => c.field === field);
          if (found === undefined) return;
          expectRefusal(
            await found.ask(),
            lockApiErrors.paramIllegal.code,
            `${field} of the wrong type`,
            field,
          );
        },
      );
    },
  },
];
