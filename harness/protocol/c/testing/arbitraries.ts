import fc from "fast-check";
import type { CInterfaceId, CRequest, CSuccess } from "../interfaces.ts";
import { formatSequenceNo } from "../types.ts";

/** fast-check arbitraries for every request and success answer of 7.3, for round-trip properties. */

const text = fc.string({ unit: "grapheme", maxLength: 12 });
const required = fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 });
// "__proto__" is refused on the wire (see json-safe.ts), so valid bodies never use it as a key.
const key = fc
  .string({ unit: "grapheme-ascii", minLength: 1, maxLength: 8 })
  .filter((s) => s !== "__proto__");
const sn = fc.string({ unit: fc.constantFrom(..."0123456789ABCDEF"), minLength: 1, maxLength: 24 });
export const sequenceNo = fc
  .tuple(fc.integer({ min: 0, max: 253402300799999 - 8 * 3600_000 }), fc.nat(9999))
  .map(([ms, n]) => formatSequenceNo(ms, n));
const serialId = fc.nat(8).map(String);
const statusInfo = fc.record({ serialId, name: required, value: text });
const resDetail = fc.dictionary(key, text, { maxKeys: 3 });
const resChange = fc
  .tuple(fc.constantFrom("1" as const, "2" as const, "3" as const), resDetail)
  .map(([mode, rest]) => ({ ...rest, mode }));
const resourceList = fc.record({
  serialId,
  resName: required,
  resInfo: fc.array(resDetail, { maxLength: 3 }),
});
const changeList = fc.record({ serialId, resName: required, resInfo: fc.array(resChange, { maxLength: 3 }) });
const list = <T>(arb: fc.Arbitrary<T>) => fc.array(arb, { maxLength: 3 });
const onlineInt = fc.constantFrom(0 as const, 1 as const);
/** A field the spec does not name, kept by the loose schemas. */
const extra = fc.option(fc.record({ vendorNote: text }), { nil: undefined }).map((e) => e ?? {});

const device = { access_token: required, sequenceNo, deviceSN: sn };

const requests: { [Id in CInterfaceId]: fc.Arbitrary<CRequest<Id>> } = {
  C11: fc.record({ platformId: required, platformKey: required, sequenceNo }),
  C12: fc.record({ ...device, deviceType: required }),
  C13: fc.record({ ...device, gwId: sn, deviceType: required }),
  C14: fc.record({ ...device, gwId: sn, deviceType: required }),
  C15: fc.record({ ...device, deviceType: required, online: fc.constantFrom("0" as const, "1" as const) }),
  C16: fc.record(
    { ...device, deviceType: required, status: list(statusInfo), resource: list(resourceList) },
    {
      requiredKeys: ["access_token", "sequenceNo", "deviceSN", "deviceType", "status"],
    },
  ),
  C17: fc.record({ ...device, deviceType: required, resource: list(changeList) }),
  C18: fc.record({
    ...device,
    deviceType: required,
    event: list(
      fc.record(
        { eventId: required, serialId, eventName: required, eventInfo: list(resDetail) },
        { requiredKeys: ["serialId", "eventName", "eventInfo"] },
      ),
    ),
  }),
  C21: fc.record({ cloudId: required, cloudKey: required, sequenceNo }),
  C22: fc.record(
    { ...device, bindKey: required, deviceType: required },
    { requiredKeys: ["access_token", "sequenceNo", "deviceSN"] },
  ),
  C23: fc.record(
    { ...device, deviceType: required },
    { requiredKeys: ["access_token", "sequenceNo", "deviceSN"] },
  ),
  C24: fc.record(
    { ...device, gwId: sn, deviceType: required },
    { requiredKeys: ["access_token", "sequenceNo", "deviceSN", "gwId"] },
  ),
  C25: fc.record(
    { ...device, gwId: sn, deviceType: required },
    { requiredKeys: ["access_token", "sequenceNo", "deviceSN", "gwId"] },
  ),
  C26: fc.record(
    { ...device, deviceType: required },
    { requiredKeys: ["access_token", "sequenceNo", "deviceSN"] },
  ),
  C27: fc.record(
    { ...device, deviceType: required },
    { requiredKeys: ["access_token", "sequenceNo", "deviceSN"] },
  ),
  C28: fc.record(
    {
      ...device,
      deviceType: required,
      serialId,
      cmds: fc.array(fc.record({ name: required, value: required }), { minLength: 1, maxLength: 3 }),
    },
    { requiredKeys: ["access_token", "sequenceNo", "deviceSN", "serialId", "cmds"] },
  ),
  C29: fc.record({ access_token: required, sequenceNo, gwId: sn }),
  C30: fc.record({ access_token: required, sequenceNo, gwId: sn }),
  C31: fc.record(
    { ...device, deviceType: required, resource: list(changeList) },
    { requiredKeys: ["access_token", "sequenceNo", "deviceSN"] },
  ),
};

const desc = { code: fc.constant(0 as const), desc: text };
const optionalDesc = fc.record(desc, { requiredKeys: ["code"] });
const token = fc.record({ ...desc, access_token: required, expiredAt: fc.nat() });

const successes: { [Id in CInterfaceId]: fc.Arbitrary<CSuccess<Id>> } = {
  C11: token,
  C12: optionalDesc,
  C13: optionalDesc,
  C14: optionalDesc,
  C15: optionalDesc,
  C16: optionalDesc,
  C17: optionalDesc,
  C18: optionalDesc,
  C21: token,
  C22: fc.record({ ...desc, deviceSN: sn, deviceType: required, sequenceNo }),
  C23: optionalDesc,
  C24: fc.record(desc),
  C25: optionalDesc,
  C26: fc.record({ ...desc, online: onlineInt }),
  C27: fc.record(
    { ...desc, status: list(statusInfo), resource: list(resourceList) },
    {
      requiredKeys: ["code", "desc", "status"],
    },
  ),
  C28: fc.record({ ...desc, result: list(statusInfo) }, { requiredKeys: ["code", "desc"] }),
  C29: fc.record({
    ...desc,
    gwId: sn,
    deviceType: required,
    online: onlineInt,
    devices: list(fc.record({ deviceSN: sn, deviceType: required, online: onlineInt })),
  }),
  C30: fc.record(
    {
      ...desc,
      gwId: sn,
      deviceType: required,
      status: fc.oneof(list(statusInfo), statusInfo),
      resource: list(resourceList),
      devices: list(
        fc.record(
          { deviceSN: sn, deviceType: required, status: list(statusInfo), resource: list(resourceList) },
          { requiredKeys: ["deviceSN", "deviceType", "status"] },
        ),
      ),
    },
    { requiredKeys: ["code", "desc", "gwId", "deviceType", "status", "devices"] },
  ),
  C31: fc.record(desc),
};

export function cRequest<Id extends CInterfaceId>(id: Id): fc.Arbitrary<CRequest<Id>> {
  return fc.tuple(requests[id], extra).map(([body, more]) => ({ ...more, ...body }) as CRequest<Id>);
}

export function cSuccess<Id extends CInterfaceId>(id: Id): fc.Arbitrary<CSuccess<Id>> {
  return fc.tuple(successes[id], extra).map(([body, more]) => ({ ...more, ...body }) as CSuccess<Id>);
}
