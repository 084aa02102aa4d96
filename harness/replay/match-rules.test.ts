import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.ts";
import {
  compareBodies,
  defaultFieldRules,
  describeDifference,
  parseFieldRule,
  ruleFor,
} from "./match-rules.ts";

const rules = [...defaultFieldRules];

describe("match rules", () => {
  it("fields that change between sessions match by rule: time, sequence, token, sessionKey, hosts, dscp", () => {
    const recorded = {
      result: 0,
      sequence: "33110",
      sessionKey: "[redacted]",
      token: "[redacted]",
      tcpHost: "127.0.0.1:41453",
      udpHost: "127.0.0.1:41454",
      time: 1767225600,
      dscp: "ok",
    };
    const replayed = {
      result: 0,
      sequence: "9",
      sessionKey: "abcdefghijklmnop",
      token: "qwertyuiop123456",
      tcpHost: "[::1]:8701",
      udpHost: "10.0.0.1:8702",
      time: 1800000000,
      dscp: "success",
    };
    expect(compareBodies(1003, recorded, replayed, rules)).toEqual([]);
  });

  it("names each field that breaks its rule, masking secrets on both sides", () => {
    const differences = compareBodies(
      1003,
      { result: 0, sessionKey: "[redacted]", tcpHost: "127.0.0.1:1", time: 1, extra: undefined },
      { result: 100002, sessionKey: "", tcpHost: "no port", time: 1.5, added: "x" },
      rules,
    );
    expect(differences.map(describeDifference)).toEqual([
      "result: recorded 0, got 100002",
      'sessionKey: recorded "[redacted]", got "[redacted]" (rule secret)',
      'tcpHost: recorded "127.0.0.1:1", got "no port" (rule address)',
      "time: recorded 1, got 1.5 (rule time)",
      'added: recorded absent, got "x"',
    ]);
  });

  it("walks nested bodies by dotted path; a run's rule overrides the defaults and may cover a whole branch", () => {
    const recorded = {
      statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "LOCK", curStatusValue: "1" }] }],
    };
    const replayed = {
      statusSerials: [{ serialId: "0", statusSerial: [{ statusName: "LOCK", curStatusValue: "0" }] }],
    };
    expect(compareBodies(2006, recorded, replayed, rules).map((d) => d.path)).toEqual([
      "statusSerials.0.statusSerial.0.curStatusValue",
    ]);
    expect(
      compareBodies(2006, recorded, replayed, [...rules, parseFieldRule("2006.statusSerials=ignore")]),
    ).toEqual([]);
    // A rule for another packet type does not apply.
    expect(
      compareBodies(2006, recorded, replayed, [...rules, parseFieldRule("2004.statusSerials=ignore")]),
    ).toHaveLength(1);
    expect(ruleFor(1005, "dscp", [...rules, parseFieldRule("dscp=equal")])).toBe("equal");
    // A bare name applies at any depth: times inside event details, as strings.
    const event = (TIME: string) => ({ event: [{ eventName: "LOCK_OPEN", eventInfo: [{ TIME }] }], time: 1 });
    expect(compareBodies(2032, event("1767225611"), event("1796051476"), rules)).toEqual([]);
    expect(compareBodies(2032, event("1767225611"), event("soon"), rules).map((d) => d.path)).toEqual([
      "event.0.eventInfo.0.TIME",
    ]);
  });

  it("parses --match and refuses a bad one naming the value", () => {
    expect(parseFieldRule("1005.heartBeat=any")).toEqual({ code: 1005, path: "heartBeat", rule: "any" });
    expect(parseFieldRule("cmd.0.cmdParam=ignore")).toEqual({ path: "cmd.0.cmdParam", rule: "ignore" });
    for (const bad of ["heartBeat", "=any", "heartBeat=maybe"]) {
      expect(() => parseFieldRule(bad)).toThrow(UsageError);
      expect(() => parseFieldRule(bad)).toThrow(JSON.stringify(bad));
    }
  });
});
