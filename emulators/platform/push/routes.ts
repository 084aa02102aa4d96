import { readBody } from "../api/body.ts";
import type { RouteSet } from "../api/http-api.ts";
import type { PushSender } from "./push-sender.ts";

/**
 * `/api/push/receivers`: the push sender's receivers (their URL, state, counts and last abnormal answer, never a
 * secret), and `POST /api/push/receivers/:index/resume`, the only way pushes to a suspended receiver start again.
 */
export function pushRoutes(sender: () => PushSender | undefined, bodyLimit: number): RouteSet {
  return (app) => {
    app.get("/api/push/receivers", (c) => {
      const push = sender();
      if (push === undefined)
        return c.json(
          { error: "NO_PUSH", detail: "this platform pushes to no receiver (start it with --push-url)" },
          503,
        );
      return c.json({ receivers: push.report() });
    });
    app.post("/api/push/receivers/:index/resume", async (c) => {
      await readBody(c, bodyLimit);
      const push = sender();
      if (push === undefined)
        return c.json(
          { error: "NO_PUSH", detail: "this platform pushes to no receiver (start it with --push-url)" },
          503,
        );
      const text = c.req.param("index");
      const index = /^\d{1,6}$/.test(text) ? Number(text) : -1;
      const resumed = push.resume(index);
      if (resumed === undefined)
        return c.json(
          {
            error: "NOT_FOUND",
            detail: `no push receiver ${JSON.stringify(text)}: expected 0-${push.report().length - 1}`,
          },
          404,
        );
      return c.json({ resumed, receiver: push.report()[index] });
    });
  };
}
