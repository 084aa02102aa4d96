import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../errors.ts";
import { seededRandom } from "../../random/random.ts";
import { decryptTicketKey, encryptPassword } from "./password-crypto.ts";
import {
  DEFAULT_TICKET_LIFETIME_MS,
  issueTicket,
  pruneTickets,
  redeemTicket,
  ticketState,
} from "./ticket.ts";

const T0 = Date.UTC(2024, 5, 1, 8, 0, 0);
const SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
const LOCK = "vdevo153459260090544";
const CLIENT = "client-a";

/** A ticket issued at T0, and the `password` field a caller would send with it. */
function withTicket(digits = "1234567", seed = 1) {
  const issued = issueTicket(
    ticketState(),
    { deviceId: LOCK, clientId: CLIENT, secret: SECRET },
    T0,
    seededRandom(seed),
  );
  const key = decryptTicketKey(issued.answer.ticket_key, SECRET);
  if (!key.ok) throw new Error(key.error.message);
  const use = {
    ticketId: issued.answer.ticket_id,
    deviceId: LOCK,
    clientId: CLIENT,
    password: encryptPassword(digits, key.value),
  };
  return { ...issued, use };
}

describe("password tickets", () => {
  it("answers ticket_id, an encrypted ticket_key and expire_time 360 s, as the seed's sample", () => {
    const { answer, ticket } = withTicket();
    expect(answer).toEqual({
      ticket_id: expect.stringMatching(/^[A-Za-z0-9]{7}$/),
      ticket_key: expect.stringMatching(/^[0-9A-F]{64}$/),
      expire_time: 360,
    });
    expect(DEFAULT_TICKET_LIFETIME_MS).toBe(360_000);
    expect(decryptTicketKey(answer.ticket_key, SECRET)).toEqual({ ok: true, value: ticket.key });
    expect(ticket).toMatchObject({ deviceId: LOCK, clientId: CLIENT, expiresAt: T0 + 360_000, used: false });
  });

  it("opens the password once: the plain digits, then 1109 ticket used", () => {
    const { state, use } = withTicket("1234567");
    const first = redeemTicket(state, { ...use, kind: "wifi" }, T0 + 1000);
    expect(first).toMatchObject({ ok: true, value: { password: "1234567" } });
    if (!first.ok) return;
    expect(redeemTicket(first.value.state, use, T0 + 2000)).toMatchObject({
      ok: false,
      error: { code: "ticketUsed", apiCode: 1109, field: "ticket_id" },
    });
    // The state is a value: the one before the use still has the ticket unused.
    expect(redeemTicket(state, use, T0 + 2000).ok).toBe(true);
  });

  it("refuses the ticket at its expiry and after (1109 ticket expired), accepts it a millisecond before", () => {
    const { state, use } = withTicket();
    const end = T0 + DEFAULT_TICKET_LIFETIME_MS;
    expect(redeemTicket(state, use, end - 1).ok).toBe(true);
    for (const now of [end, end + 60_000])
      expect(redeemTicket(state, use, now)).toMatchObject({
        ok: false,
        error: { code: "ticketExpired", apiCode: 1109 },
      });
  });

  it("is bound to its device and client; an unknown or missing ticket is refused", () => {
    const { state, use } = withTicket();
    expect(redeemTicket(state, { ...use, deviceId: "other-lock" }, T0)).toMatchObject({
      ok: false,
      error: {
        code: "ticketInvalid",
        apiCode: 1109,
        field: "ticket_id",
        message: expect.stringContaining("other-lock"),
      },
    });
    expect(redeemTicket(state, { ...use, clientId: "client-b" }, T0)).toMatchObject({
      ok: false,
      error: { code: "ticketInvalid" },
    });
    expect(redeemTicket(state, { ...use, ticketId: "nope" }, T0)).toMatchObject({
      ok: false,
      error: { code: "ticketInvalid", value: '"nope"' },
    });
    expect(redeemTicket(state, { ...use, ticketId: "" }, T0)).toMatchObject({
      ok: false,
      error: { apiCode: 1100 },
    });
  });

  it("a password with the wrong digit count or not under the ticket's key is refused and leaves the ticket unused", () => {
    const { state, use } = withTicket("123456");
    expect(redeemTicket(state, { ...use, kind: "wifi" }, T0)).toMatchObject({
      ok: false,
      error: { code: "passwordDigitsWrong", apiCode: 1101 },
    });
    expect(
      redeemTicket(state, { ...use, password: encryptPassword("123456", "AAAAAAAAAAAAAAAA") }, T0).ok,
    ).toBe(false);
    expect(redeemTicket(state, { ...use, kind: "zigbee" }, T0)).toMatchObject({
      ok: true,
      value: { password: "123456" },
    });
  });

  it("pruning drops expired tickets only", () => {
    const { state } = withTicket();
    expect(pruneTickets(state, T0 + DEFAULT_TICKET_LIFETIME_MS - 1).tickets.size).toBe(1);
    expect(pruneTickets(state, T0 + DEFAULT_TICKET_LIFETIME_MS).tickets.size).toBe(0);
    expect(() => ticketState({ lifetimeMs: 0 })).toThrow(UsageError);
  });

  it("property: tickets are distinct, reproducible from the seed, and each opens only its own passwords", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 2, max: 8 }), (seed, count) => {
        const random = seededRandom(seed);
        let state = ticketState();
        const answers = [];
        for (let i = 0; i < count; i++) {
          const issued = issueTicket(state, { deviceId: LOCK, clientId: CLIENT, secret: SECRET }, T0, random);
          state = issued.state;
          answers.push(issued);
        }
        expect(new Set(answers.map((a) => a.answer.ticket_id)).size).toBe(count);
        const again = issueTicket(
          ticketState(),
          { deviceId: LOCK, clientId: CLIENT, secret: SECRET },
          T0,
          seededRandom(seed),
        );
        expect(again.answer).toEqual(answers[0]?.answer);
        const [a, b] = answers as [(typeof answers)[0], (typeof answers)[0]];
        const underB = encryptPassword("654321", b.ticket.key);
        const opened = redeemTicket(
          state,
          { ticketId: a.ticket.ticketId, deviceId: LOCK, clientId: CLIENT, password: underB },
          T0,
        );
        expect(opened.ok && opened.value.password === "654321").toBe(a.ticket.key === b.ticket.key);
      }),
    );
  });
});
