import { decodeSearchResponse, type SearchResponse } from "../../harness/protocol/md/discovery.ts";
import type { LanTarget } from "../target/lan-target.ts";
import { type ClauseCheck, ClauseFailure, expectThat, NotApplicable } from "./clause.ts";
import { pause, recordOf, type Search, search, shown } from "./lan-probe.ts";

/**
 * 6.2.1, discovery, for a device under test: searches by unicast to its discovery port, as the phone app sends them.
 * They come before any auth: an unconfigured device is then still in its onConfig window.
 */

/** How long a search waits for answers: a device on the LAN answers at once. */
const SEARCH_MS = 2_000;
/** 6.2.1: an unconfigured device may be added within 120 s of power-on. */
const ON_CONFIG_WINDOW_MS = 120_000;
/** A model no device has: a search for it must stay unanswered. */
const OTHER_MODEL = "HILFARM-NO-SUCH-MODEL";

/** The one decoded answer of a search, or a failure naming the datagram and why it does not decode. */
function decodedAnswer(target: LanTarget, result: Search): SearchResponse {
  const [found] = result.found;
  if (found !== undefined) {
    recordOf(target).lanControl = found.lanControl;
    return found;
  }
  const [bad] = result.bad;
  if (bad === undefined)
    throw new ClauseFailure(`expected an answer from ${target.discovery}; saw none within ${SEARCH_MS} ms`);
  const other = target.flagOrder === "struct" ? "field-table" : "struct";
  const hex = result.datagrams[0] ?? "";
  const otherOrder = decodeSearchResponse(Buffer.from(hex, "hex"), other).ok
    ? ` (it decodes in the ${other} order)`
    : "";
  throw new ClauseFailure(
    `expected a data_response in the ${target.flagOrder} order; saw ${bad.code}: ${bad.reason}${otherOrder}; datagram ${hex}`,
  );
}

const searchOwn = async (target: LanTarget) =>
  decodedAnswer(target, await search(target, target.model, SEARCH_MS));

export const lanDiscoveryClauses: readonly ClauseCheck<LanTarget>[] = [
  {
    clause: "6.2.1",
    title: "a search for the device's model is answered",
    run: async (target) => {
      const result = await search(target, target.model, SEARCH_MS);
      expectThat(
        result.datagrams.length > 0,
        `an answer from ${target.discovery} to a search for ${target.model}`,
        `none within ${SEARCH_MS} ms`,
      );
    },
  },
  {
    clause: "6.2.1",
    title:
      "the answer decodes as data_response in the struct's order (code, deviceId, mac, model, protocol, lanControl, onConfig, bindKey), code 0, naming the device",
    run: async (target) => {
      const answer = await searchOwn(target);
      expectThat(
        answer.code === 0 && answer.deviceId === target.deviceId && answer.model === target.model,
        `code 0, deviceId ${target.deviceId}, model ${target.model}`,
        shown(answer),
      );
    },
  },
  {
    clause: "6.2.1",
    title: "protocol is 0 (JSON)",
    run: async (target) => {
      const answer = await searchOwn(target);
      expectThat(answer.protocol === 0, "protocol 0", `protocol ${answer.protocol} in ${shown(answer)}`);
    },
  },
  {
    clause: "6.2.1",
    title: "a search for every model (no model) is answered",
    run: async (target) => {
      const result = await search(target, undefined, SEARCH_MS);
      expectThat(
        result.datagrams.length > 0,
        `an answer from ${target.discovery} to a search without a model`,
        `none within ${SEARCH_MS} ms`,
      );
    },
  },
  {
    clause: "6.2.1",
    title: "a search for another model is not answered",
    run: async (target) => {
      const result = await search(target, OTHER_MODEL, SEARCH_MS);
      expectThat(
        result.datagrams.length === 0,
        `no answer to a search for ${OTHER_MODEL} within ${SEARCH_MS} ms`,
        result.found.length > 0 ? shown(result.found[0]) : `datagram ${result.datagrams[0]}`,
      );
    },
  },
  {
    clause: "6.2.1",
    title: "bindKey is 0 while onConfig is 0, and a key while onConfig is 1",
    run: async (target) => {
      const answer = await searchOwn(target);
      if (answer.onConfig === 0)
        expectThat(answer.bindKey === 0n, "bindKey 0 with onConfig 0", `bindKey ${answer.bindKey}`);
      else expectThat(answer.bindKey !== 0n, "a non-zero bindKey with onConfig 1", "bindKey 0");
    },
  },
  {
    clause: "6.2.1",
    title: "onConfig is 1 only within 120 s of power-on: past it, onConfig 0 and bindKey 0",
    run: async (target) => {
      const before = await searchOwn(target);
      if (!target.virtualTime)
        throw new NotApplicable(
          `needs virtual time to pass the 120 s window; the device says onConfig ${before.onConfig}, bindKey ${before.bindKey}`,
        );
      await pause(target, ON_CONFIG_WINDOW_MS + 1000);
      const after = await searchOwn(target);
      expectThat(
        after.onConfig === 0 && after.bindKey === 0n,
        `onConfig 0 and bindKey 0 more than 120 s after power-on (it was onConfig ${before.onConfig})`,
        `onConfig ${after.onConfig}, bindKey ${after.bindKey}`,
      );
    },
  },
];
