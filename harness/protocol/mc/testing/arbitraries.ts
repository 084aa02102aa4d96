import fc from "fast-check";
import { type McCode, mcCodes } from "../packet-types.ts";
import type { BodyOf, McMessage } from "../schemas/index.ts";

/**
 * fast-check arbitraries for every Mc body of table 5.2.1, for round-trip properties and model-based suites.
 * Strings include non-ASCII text (device names, `dscp` in Chinese) and JSON-special characters.
 */
const text = fc.string({ unit: "grapheme", maxLength: 12 });
// "__proto__" is refused on the wire (see json-safe.ts), so valid bodies never use it as a key.
const name = fc
  .string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 })
  .filter((s) => s !== "__proto__");
const id = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 1, maxLength: 24 });
const secret = fc.string({
  unit: fc.constantFrom(..."ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"),
  minLength: 16,
  maxLength: 16,
});
const sequence = fc.integer({ min: 0, max: 65535 }).map(String);
const time = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const result = fc.constantFrom(0, 100001, 200001, 200002, 200003, 300001, 300002, 400002, 899999, 999999);
const flag = fc.constantFrom("0" as const, "1" as const);
const version = fc.tuple(fc.nat(999), fc.nat(999), fc.nat(999), fc.nat(999)).map((v) => v.join("."));
const serialId = fc.nat(8).map(String);
const host = fc
  .tuple(fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 65535 }))
  .map(([a, b, p]) => `10.${a}.${b}.1:${p}`);
const stringRecord = fc.dictionary(name, text, { maxKeys: 4 });

const statusSerials = fc.array(
  fc.record({
    serialId,
    statusSerial: fc.array(fc.record({ statusName: name, curStatusValue: text }), { maxLength: 4 }),
  }),
  { maxLength: 3 },
);
const resourceSerials = fc.array(
  fc.record({
    serialId,
    resourceSerial: fc.array(
      fc.record({ resourceName: name, resourceInfo: fc.array(stringRecord, { maxLength: 3 }) }),
      {
        maxLength: 3,
      },
    ),
  }),
  { maxLength: 3 },
);

const deviceResponse = fc.record({ result, sequence, deviceId: id, time });
const subDeviceRequest = fc.record({ sequence, deviceId: id, subDeviceId: id, time });
const subDeviceResponse = fc.record({ result, sequence, deviceId: id, subDeviceId: id, time });
const firmwareFile = {
  version,
  url: name.map((n) => `http://127.0.0.1:8080/fw/${encodeURIComponent(n)}`),
  md5: id,
};
const audioFormat = fc.constantFrom("pcm" as const, "speex" as const, "amr" as const);
const rate = fc.constantFrom(8000 as const, 16000 as const);
const percent = fc.integer({ min: 0, max: 100 });

export const bodyArbitraries: { [C in McCode]: fc.Arbitrary<BodyOf<C>> } = {
  1000: fc.record({ sequence, token: secret, time }),
  1001: fc.record({ result, sequence, time }),
  1002: fc.record({ sequence, deviceId: id, version, time }),
  1003: fc.record({
    result,
    sequence,
    sessionKey: secret,
    tcpHost: host,
    udpHost: host,
    token: secret,
    time,
  }),
  1004: fc.record({ sequence, token: secret, devVersion: version, model: name, time }),
  1005: fc.record(
    {
      result,
      sequence,
      heartBeat: fc.integer({ min: 1, max: 3600 }),
      authInterval: fc.integer({ min: 1, max: 86400 }),
      time,
    },
    { requiredKeys: ["result", "sequence", "time"] },
  ),
  2000: deviceResponse,
  2001: fc.record({ sequence, deviceId: id, asc: fc.dictionary(name, flag, { maxKeys: 4 }), time }),
  2002: deviceResponse,
  2003: fc.record({ sequence, deviceId: id, time }),
  2004: fc.record({ result, sequence, dscp: text, deviceId: id, time }),
  2005: fc.record({
    sequence,
    deviceId: id,
    serialId,
    cmd: fc.array(fc.record({ cmdName: name, cmdParam: text }), { minLength: 1, maxLength: 4 }),
    time,
  }),
  2006: fc.record(
    { sequence, deviceId: id, statusSerials, resourceSerials, time },
    { requiredKeys: ["sequence", "deviceId", "statusSerials", "time"] },
  ),
  2007: deviceResponse,
  2008: fc.record({
    sequence,
    deviceId: id,
    alarm: fc.record({ serialId, statusName: name, curStatusValue: text, dscp: text, alarmTime: time }),
    time,
  }),
  2009: deviceResponse,
  2010: fc.record({
    sequence,
    deviceId: id,
    error: fc.record({ serialId, errorCode: id, errorInfo: text, errorTime: time }),
    time,
  }),
  2011: deviceResponse,
  2012: fc.record({ sequence, deviceId: id, subDeviceId: id, pin: secret, time }),
  2013: fc.record({ result, sequence, deviceId: id, subDeviceId: id, authResult: flag, time }),
  2014: subDeviceResponse,
  2015: subDeviceRequest,
  2016: subDeviceRequest,
  2017: subDeviceResponse,
  2018: subDeviceRequest,
  2019: subDeviceResponse,
  2020: fc.record({ sequence, deviceId: id, subDeviceId: id, onLine: flag, time }),
  2021: subDeviceResponse,
  2022: fc.record(
    {
      sequence,
      deviceId: id,
      model: name,
      device: fc.record({ version }),
      modules: fc.array(fc.record({ name, version }), { maxLength: 3 }),
      time,
    },
    { requiredKeys: ["sequence", "deviceId", "model", "device", "time"] },
  ),
  2023: deviceResponse,
  2024: deviceResponse,
  2025: fc.oneof(
    fc.record({ sequence, deviceId: id, device: fc.record(firmwareFile), time }),
    fc.record({
      sequence,
      deviceId: id,
      modules: fc.array(fc.record({ name, ...firmwareFile }), { minLength: 1, maxLength: 3 }),
      time,
    }),
  ),
  2026: fc.oneof(
    fc.record({ sequence, deviceId: id, type: fc.constant("0" as const), status: flag, version, time }),
    fc.record({
      sequence,
      deviceId: id,
      type: fc.constant("1" as const),
      moduleName: name,
      status: flag,
      version,
      time,
    }),
  ),
  2027: deviceResponse,
  2028: fc.record({ sequence, deviceId: id, resourceSerials, time }),
  2029: deviceResponse,
  2030: deviceResponse,
  2031: fc.record({ sequence, deviceId: id, resourceSerials, time }),
  2032: fc.record(
    {
      sequence,
      deviceId: id,
      event: fc.array(
        fc.record(
          {
            eventId: serialId,
            serialId,
            eventName: name,
            eventInfo: fc.array(stringRecord, { maxLength: 3 }),
          },
          { requiredKeys: ["serialId"] },
        ),
        { maxLength: 3 },
      ),
      time,
    },
    { requiredKeys: ["sequence", "deviceId", "time"] },
  ),
  2033: deviceResponse,
  3000: fc.record({
    sequence,
    deviceId: id,
    ttsParam: fc.record(
      {
        content: name,
        anchor: name,
        speed: percent,
        volume: percent,
        pitch: percent,
        format: audioFormat,
        rate,
        channel: fc.constant(1 as const),
      },
      { requiredKeys: ["content"] },
    ),
    time,
  }),
  3001: fc.oneof(
    fc.record({
      result: fc.constant(0),
      sequence,
      deviceId: id,
      ttsResult: fc.record({ audioData: fc.base64String() }),
      time,
    }),
    fc.record({ result: fc.constantFrom(400001, 999999), sequence, deviceId: id, time }),
  ),
  3002: fc.record({
    sequence,
    deviceId: id,
    ctrlParam: fc.record(
      {
        format: audioFormat,
        rate,
        channel: fc.constant(1 as const),
        voiceId: id,
        sn: fc.integer({ min: 1, max: 50 }),
        isLast: flag,
        audioData: fc.base64String({ maxLength: 64 }),
        extensions: fc.array(fc.record({ key: name, value: text }), { maxLength: 2 }),
      },
      { requiredKeys: ["audioData"] },
    ),
    time,
  }),
  3003: fc.record(
    {
      result: fc.constantFrom(0, 400002, 400005),
      sequence,
      deviceId: id,
      ctrlResult: fc.record({ rawText: text, resultDesc: text }, { requiredKeys: [] }),
      time,
    },
    { requiredKeys: ["result", "sequence", "deviceId", "time"] },
  ),
};

export function messageArbitrary<C extends McCode>(code: C): fc.Arbitrary<McMessage> {
  return bodyArbitraries[code].map((body) => ({ code, body }) as McMessage);
}

/** Any Mc message of any type. */
export const anyMessage: fc.Arbitrary<McMessage> = fc.oneof(...mcCodes.map((code) => messageArbitrary(code)));

export { secret as sessionKeyArbitrary, sequence as sequenceArbitrary };

/** A 32-character printable-ASCII PIN. */
export const pinArbitrary = fc.string({
  unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 32,
  maxLength: 32,
});
