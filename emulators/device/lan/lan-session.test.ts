import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CipherKey, encrypt } from "../../../harness/protocol/cts/crypto.ts";
import { decodeLanFrame, encodeLanFrame } from "../../../harness/protocol/md/lan-frame.ts";
import { lanKeyFor } from "../../../harness/protocol/md/lan-key.ts";
import type { LanMessage } from "../../../harness/protocol/md/messages.ts";
import { loadProfiles } from "../../profiles/load.ts";
import type { Profile } from "../../profiles/schema.ts";
import { wellBehaved } from "../misbehaviour.ts";
import { LanAttributeMap } from "./lan-attributes.ts";
import {
  canPost,
  LAN_AUTH_DEADLINE_MS,
  type LanDeviceView,
  type LanSession,
  type LanSessionAction,
  openLanSession,
  otherMid,
  sessionDeadline,
  stepLanSession,
} from "./lan-session.ts";

const DEVICE = "00000000000000000000ac01";
const PIN = "0123456789abcdefghijklmnopqrstuv";
const RAND = "1234567890123456";
const LAN_KEY = lanKeyFor(RAND, PIN);
const KEY = CipherKey.fromLanKey(Buffer.from(LAN_KEY, "hex"));

let ac: Profile;
beforeAll(async () => {
  ac = (await loadProfiles()).get("air-conditioner") as Profile;
});

function viewOf(options: { control?: boolean } = {}) {
  const map = LanAttributeMap.of(ac);
  const status = structuredClone(ac.serials) as Record<string, Record<string, string>>;
  const misbehaviour = wellBehaved();
  const view: LanDeviceView = {
    deviceId: DEVICE,
    pin: PIN,
    control: options.control ?? true,
    misbehaviour,
    snapshot: () => map.toAs(status),
    check: (as) => map.fromOpt(as),
  };
  return { view, misbehaviour };
}

const line = (message: LanMessage, key?: CipherKey) => encodeLanFrame(message, key).subarray(0, -2);
const auth = (overrides: Partial<Extract<LanMessage, { cmd: "auth" }>> = {}) =>
  line({ cmd: "auth", to: DEVICE, rand: RAND, lanKey: LAN_KEY, liveTime: "300", ...overrides });
const sent = (actions: LanSessionAction[]) =>
  actions.flatMap((a) => (a.kind === "send" ? [{ message: a.message, sealed: a.key !== undefined }] : []));

function authenticated(view: LanDeviceView, now = 0): LanSession {
  const step = stepLanSession(openLanSession(now), { kind: "frame", line: auth(), now }, view);
  expect(step.session.phase).toBe("authenticated");
  return step.session;
}

describe("a LAN client before auth (6.2.2)", () => {
  it("is authenticated by a clear auth with the lanKey of its rand and the PIN, answered 0 in clear", () => {
    const { view } = viewOf();
    const step = stepLanSession(openLanSession(0), { kind: "frame", line: auth(), now: 5 }, view);
    expect(sent(step.actions)).toEqual([{ message: { cmd: "resp", code: 0 }, sealed: false }]);
    expect(step.actions).toContainEqual({ kind: "authenticated", liveTimeS: 300 });
    expect(step.session).toMatchObject({ phase: "authenticated", expiresAt: 5 + 300_000 });
    expect(sessionDeadline(step.session)).toBe(300_005);
  });

  it("is refused 200003 in clear and closed for a wrong lanKey", () => {
    const { view } = viewOf();
    const wrong = lanKeyFor(RAND, "x".repeat(32));
    const step = stepLanSession(
      openLanSession(0),
      { kind: "frame", line: auth({ lanKey: wrong }), now: 0 },
      view,
    );
    expect(sent(step.actions)).toEqual([{ message: { cmd: "resp", code: 200003 }, sealed: false }]);
    expect(step.actions.at(-1)).toEqual({ kind: "close", reason: "auth-refused" });
    expect(step.session.phase).toBe("closed");
  });

  it("refuses an auth to another device (200001), a malformed one (100001), and any other command (200003)", () => {
    const { view } = viewOf();
    const cases: Array<[Uint8Array, number, string]> = [
      [auth({ to: "someone-else" }), 200001, "auth-refused"],
      [
        Buffer.from(`CTS{"cmd":"auth","to":"${DEVICE}","rand":"123","lanKey":"00","liveTime":"300"}`),
        100001,
        "auth-refused",
      ],
      [auth({ liveTime: "0" }), 100001, "auth-refused"],
      [line({ cmd: "query", to: DEVICE, mid: "7" }), 200003, "not-authenticated"],
    ];
    for (const [bytes, code, reason] of cases) {
      const step = stepLanSession(openLanSession(0), { kind: "frame", line: bytes, now: 0 }, view);
      expect(sent(step.actions)[0]?.message).toMatchObject({ cmd: "resp", code });
      expect(step.actions.at(-1)).toEqual({ kind: "close", reason });
    }
  });

  it("drops bytes that are no frame, and closes the client at the auth deadline", () => {
    const { view } = viewOf();
    const open = openLanSession(0);
    const garbage = stepLanSession(open, { kind: "frame", line: Buffer.from("hello"), now: 1 }, view);
    expect(garbage).toEqual({ session: open, actions: [{ kind: "drop", code: "NO_PREFIX" }] });
    expect(sessionDeadline(open)).toBe(LAN_AUTH_DEADLINE_MS);
    expect(stepLanSession(open, { kind: "time", now: LAN_AUTH_DEADLINE_MS - 1 }, view).actions).toEqual([]);
    const late = stepLanSession(open, { kind: "time", now: LAN_AUTH_DEADLINE_MS }, view);
    expect(late.actions).toEqual([{ kind: "close", reason: "auth-deadline" }]);
    // An auth that arrives at the deadline is too late.
    expect(
      stepLanSession(open, { kind: "frame", line: auth(), now: LAN_AUTH_DEADLINE_MS }, view).actions,
    ).toEqual([{ kind: "close", reason: "auth-deadline" }]);
  });

  it("lanAcceptBadKey: any well-formed lanKey authenticates, and keys the frames after it", () => {
    const { view, misbehaviour } = viewOf();
    misbehaviour.lanAcceptBadKey = true;
    const bad = "00112233445566778899aabbccddeeff";
    const step = stepLanSession(
      openLanSession(0),
      { kind: "frame", line: auth({ lanKey: bad }), now: 0 },
      view,
    );
    expect(sent(step.actions)[0]?.message).toEqual({ cmd: "resp", code: 0 });
    expect(step.session.phase === "authenticated" && step.session.key.key.toString("hex")).toBe(bad);
  });
});

describe("a LAN client after auth (6.2.3-6.2.4)", () => {
  it("answers a sealed query with its mid, as and asc", () => {
    const { view } = viewOf();
    const session = authenticated(view);
    const step = stepLanSession(
      session,
      { kind: "frame", line: line({ cmd: "query", to: DEVICE, mid: "0001233" }, KEY), now: 1 },
      view,
    );
    expect(sent(step.actions)).toEqual([
      {
        message: {
          cmd: "resp",
          mid: "0001233",
          code: 0,
          as: { "1": 0, "2": 1, "3": 26, "4": 28 },
          asc: { "4": 1 },
        },
        sealed: true,
      },
    ]);
  });

  it("turns a valid opt into changes to apply under its mid; refuses others with their code and mid", () => {
    const { view } = viewOf();
    const session = authenticated(view);
    const opt = (as: Record<string, number | string>, to = DEVICE) =>
      stepLanSession(
        session,
        { kind: "frame", line: line({ cmd: "opt", mid: "42", to, as }, KEY), now: 1 },
        view,
      ).actions;
    expect(opt({ "1": 1, "3": 20 })).toEqual([
      {
        kind: "apply",
        mid: "42",
        changes: [
          { attribute: 1, serialId: "0", status: "POWER", value: "1" },
          { attribute: 3, serialId: "0", status: "TEMP", value: "20" },
        ],
      },
    ]);
    expect(sent(opt({ "4": 30 }))[0]?.message).toEqual({ cmd: "resp", mid: "42", code: 300002 });
    expect(sent(opt({ "3": 99 }))[0]?.message).toEqual({ cmd: "resp", mid: "42", code: 100001 });
    expect(sent(opt({ "1": 1 }, "other"))[0]?.message).toEqual({ cmd: "resp", mid: "42", code: 200001 });
    const noControl = viewOf({ control: false }).view;
    const step = stepLanSession(
      authenticated(noControl),
      { kind: "frame", line: line({ cmd: "opt", mid: "1", to: DEVICE, as: { "1": 1 } }, KEY), now: 1 },
      noControl,
    );
    expect(sent(step.actions)[0]?.message).toEqual({ cmd: "resp", mid: "1", code: 300002 });
  });

  it("answers 100001 with the mid to an unknown cmd it can read, and drops frames it cannot", () => {
    const { view } = viewOf();
    const session = authenticated(view);
    const frame = sealedJson({ cmd: "reboot", mid: "9", to: DEVICE });
    const step = stepLanSession(session, { kind: "frame", line: frame, now: 1 }, view);
    expect(sent(step.actions)).toEqual([{ message: { cmd: "resp", code: 100001, mid: "9" }, sealed: true }]);
    for (const bad of [
      line({ cmd: "query", to: DEVICE, mid: "1" }),
      Buffer.from("CTS{"),
      sealedJson({ cmd: "query" }, CipherKey.fromLanKey(Buffer.alloc(16))),
    ]) {
      const dropped = stepLanSession(session, { kind: "frame", line: bad, now: 1 }, view);
      expect(dropped.session).toBe(session);
      expect(dropped.actions).toMatchObject([{ kind: "drop" }]);
    }
  });

  it("closes at liveTime without an answer; lanIgnoreLiveTime keeps the key alive", () => {
    const { view, misbehaviour } = viewOf();
    const session = authenticated(view);
    expect(canPost(session, 299_999)).toBe(true);
    expect(canPost(session, 300_000)).toBe(false);
    const query = line({ cmd: "query", to: DEVICE, mid: "1" }, KEY);
    expect(stepLanSession(session, { kind: "frame", line: query, now: 300_000 }, view).actions).toEqual([
      { kind: "close", reason: "lan-key-expired" },
    ]);
    expect(stepLanSession(session, { kind: "time", now: 300_000 }, view).actions).toEqual([
      { kind: "close", reason: "lan-key-expired" },
    ]);
    misbehaviour.lanIgnoreLiveTime = true;
    const kept = stepLanSession(session, { kind: "time", now: 300_000 }, view);
    expect(kept.session).toMatchObject({ phase: "authenticated", expiresAt: undefined });
    expect(sessionDeadline(kept.session)).toBeUndefined();
    expect(
      sent(stepLanSession(kept.session, { kind: "frame", line: query, now: 900_000 }, view).actions),
    ).toHaveLength(1);
  });

  it("lanWrongMid: query and opt answers carry another mid", () => {
    const { view, misbehaviour } = viewOf();
    misbehaviour.lanWrongMid = true;
    const session = authenticated(view);
    const query = stepLanSession(
      session,
      { kind: "frame", line: line({ cmd: "query", to: DEVICE, mid: "5" }, KEY), now: 1 },
      view,
    );
    expect(sent(query.actions)[0]?.message).toMatchObject({ mid: "50" });
    const opt = stepLanSession(
      session,
      { kind: "frame", line: line({ cmd: "opt", to: DEVICE, mid: "5", as: { "1": 1 } }, KEY), now: 1 },
      view,
    );
    expect(opt.actions[0]).toMatchObject({ kind: "apply", mid: "50" });
    expect(otherMid("x".repeat(64))).toHaveLength(64);
    const long = `${"x".repeat(63)}0`;
    expect(otherMid(long)).toHaveLength(64);
    expect(otherMid(long)).not.toBe(long);
  });

  it("closes on a frame past the length limit", () => {
    const { view } = viewOf();
    const step = stepLanSession(
      authenticated(view),
      { kind: "bad-frame", code: "FRAME_TOO_LONG", now: 1 },
      view,
    );
    expect(step.actions).toEqual([
      { kind: "drop", code: "FRAME_TOO_LONG" },
      { kind: "close", reason: "frame-too-long" },
    ]);
  });
});

describe("hostile input", () => {
  it("never throws and never answers anything but a resp, whatever the bytes, in either phase", () => {
    const { view } = viewOf();
    const after = authenticated(view);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string().map((s) => Buffer.from(`CTS${s}`)),
        ),
        fc.boolean(),
        (bytes, authed) => {
          const session = authed ? after : openLanSession(0);
          const step = stepLanSession(session, { kind: "frame", line: bytes, now: 1 }, view);
          for (const message of sent(step.actions)) expect(message.message.cmd).toBe("resp");
          for (const action of step.actions)
            expect(["send", "drop", "close", "authenticated", "apply"]).toContain(action.kind);
        },
      ),
    );
  });

  it("a sealed frame decodes back with the session key", () => {
    const frame = line({ cmd: "post", from: DEVICE, as: { "1": 1 } }, KEY);
    expect(decodeLanFrame(frame, KEY)).toMatchObject({ ok: true });
  });
});

/** A frame carrying any JSON sealed with `key`, as the codec seals a message. */
function sealedJson(json: unknown, key: CipherKey = KEY): Buffer {
  const data = encrypt(key, Buffer.from(JSON.stringify(json), "utf8")).toString("base64");
  return Buffer.from(`CTS${JSON.stringify({ data })}`);
}
