import { type ClauseCheck, ClauseFailure, expectThat, NotApplicable } from "../conformance/clause.ts";
import type { PlatformTarget } from "../target/target.ts";
import {
  ANSWER_MS,
  api,
  closing,
  connected,
  heartbeatAnswered,
  messageOf,
  shown,
  stillOpen,
  watchClose,
} from "./support.ts";
import { apiRequest, DEPTH, type HttpAnswer, nestedArrays, nestedObjects } from "./wire.ts";

/** The spec's frame limit: a control whose frame would pass it must not reach the device (5.1, 64 KiB). */
const HUGE_PARAM = 60_000;
/** Over the platform's documented API body limit (1 MiB by default). */
const HUGE_BODY = 4 * 1024 * 1024;

/** H4: the northbound API refuses what is too big, too deep, unauthorised or the wrong method, and keeps answering. */
export const apiClauses: readonly ClauseCheck<PlatformTarget>[] = [
  {
    clause: "H4.1",
    title:
      "a request body over the API's limit (4 MiB here; 1 MiB by default) is refused with 413, on control and lan-key",
    run: async (target) => {
      const { request } = api(target);
      const deviceId = target.devices[0]?.deviceId ?? "";
      const bodies = {
        control: JSON.stringify({
          serialId: "0",
          cmd: [{ cmdName: "POWER", cmdParam: "x".repeat(HUGE_BODY) }],
        }),
        "lan-key": JSON.stringify({ rand: "1".repeat(HUGE_BODY) }),
      };
      for (const [route, body] of Object.entries(bodies)) {
        let answer: HttpAnswer;
        try {
          answer = await request(`/api/devices/${deviceId}/${route}`, { method: "POST", body });
        } catch (error) {
          throw new ClauseFailure(`expected 413 for ${route}; saw ${messageOf(error)}`);
        }
        expectThat(answer.status === 413, `413 for ${route}`, shown(answer));
      }
    },
  },
  {
    clause: "H4.2",
    title: "a wrong method on a known path is answered 405 with an Allow header",
    run: async (target) => {
      const { request } = api(target);
      const deviceId = target.devices[0]?.deviceId ?? "";
      for (const [method, path] of [
        ["DELETE", "/api/devices"],
        ["GET", `/api/devices/${deviceId}/control`],
        ["POST", "/metrics"],
      ] as const) {
        const answer = await request(path, { method });
        expectThat(
          answer.status === 405 && answer.headers.allow !== undefined,
          `405 with Allow for ${method} ${path}`,
          `${shown(answer)}${answer.headers.allow === undefined ? " (no Allow header)" : ""}`,
        );
      }
    },
  },
  {
    clause: "H4.3",
    title: `a control whose cmdParam (${HUGE_PARAM.toLocaleString("en")} characters) would make a frame over 64 KiB is refused with 400 naming cmd.0.cmdParam, and the device keeps its session`,
    run: async (target) => {
      const { request } = api(target);
      const { device } = await connected(target, "tcp");
      const isClosed = watchClose(device);
      let controlled = false;
      device.on("frame", ({ direction, message }) => {
        if (direction === "in" && message.code === 2005) controlled = true;
      });
      await closing(device, async () => {
        const body = JSON.stringify({
          serialId: "0",
          cmd: [{ cmdName: "POWER", cmdParam: "x".repeat(HUGE_PARAM) }],
        });
        let answer: HttpAnswer;
        try {
          answer = await target.settle(
            request(`/api/devices/${device.deviceId}/control`, { method: "POST", body }),
            ANSWER_MS + 5_000,
          );
        } catch (error) {
          const sent = controlled ? " (and the 2005 went to the device)" : "";
          throw new ClauseFailure(`expected 400 naming cmd.0.cmdParam; saw ${messageOf(error)}${sent}`);
        }
        expectThat(
          answer.status === 400 && answer.text.includes("cmd.0.cmdParam"),
          "400 naming cmd.0.cmdParam",
          shown(answer),
        );
        const when = "after the oversized control";
        await heartbeatAnswered(target, device, when, isClosed);
        stillOpen(isClosed, when);
        expectThat(!controlled, "no 2005 sent to the device", "a 2005 arrived");
      });
    },
  },
  {
    clause: "H4.4",
    title: `JSON nested ${DEPTH.toLocaleString("en")} deep in a request body is refused with 400, and the API keeps answering`,
    run: async (target) => {
      const { request } = api(target);
      const deviceId = target.devices[0]?.deviceId ?? "";
      for (const [route, field] of [
        ["control", `{"serialId":"0","cmd":${nestedArrays()}}`],
        ["lan-key", `{"rand":${nestedArrays()}}`],
      ] as const) {
        for (const body of [nestedArrays(), nestedObjects(), field]) {
          const answer = await request(`/api/devices/${deviceId}/${route}`, { method: "POST", body });
          expectThat(answer.status === 400, `400 for a ${route} body nested ${DEPTH} deep`, shown(answer));
        }
      }
      const after = await request("/api/devices");
      expectThat(after.status === 200, "GET /api/devices answered 200 afterwards", shown(after));
    },
  },
  {
    clause: "H4.5",
    title:
      "with an API token, a request without it or with a wrong one is refused with 401, and firmware downloads need none",
    run: async (target) => {
      const { base } = api(target);
      if (target.apiToken === undefined)
        throw new NotApplicable(
          `${target.description}: no API token given (--api-token), so there is none to withhold`,
        );
      const without = await apiRequest(`${base}/api/devices`);
      expectThat(without.status === 401, "401 without a token", shown(without));
      const wrong = await apiRequest(`${base}/api/devices`, { token: `${target.apiToken}x` });
      expectThat(wrong.status === 401, "401 with a wrong token", shown(wrong));
      const right = await apiRequest(`${base}/api/devices`, { token: target.apiToken });
      expectThat(right.status === 200, "200 with the token", shown(right));
      const firmware = await apiRequest(`${base}/firmware/no-such-file.bin`);
      expectThat(
        firmware.status !== 401,
        "GET /firmware/:name without a token not refused with 401",
        shown(firmware),
      );
    },
  },
];
