import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Clock, Timer } from "../../harness/clock/clock.ts";
import { readBoundedBody } from "../../harness/http/bounded-body.ts";
import type { Logger } from "../../harness/log/logger.ts";
import { hostPort } from "../../harness/net/address.ts";
import { trackConnections } from "../platform/connections.ts";
import { closeListener, listenTcp } from "../platform/net.ts";
import { shownMisbehaviour } from "./misbehaviour.ts";
import type { PushRecord } from "./push-record.ts";
import { type PlannedAnswer, ReceiverBook, type ReceiverSettings } from "./receiver-state.ts";

/** Bodies beyond this are refused (303) without being held. */
export const MAX_PUSH_BODY_BYTES = 1024 * 1024;
/** A body not received within this long (on the clock) ends its connection. */
export const PUSH_BODY_DEADLINE_MS = 30_000;

export interface PushReceiverOptions
  extends Omit<ReceiverSettings, "maxBodyBytes" | "bodyDeadlineMs">,
    Partial<Pick<ReceiverSettings, "maxBodyBytes" | "bodyDeadlineMs">> {
  clock: Clock;
  logger: Logger;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Called with the record of every request, in order. */
  onRecord(record: PushRecord): void;
}

export interface PushReceiver {
  /** Where a sender pushes to: `http://host:port/path`. */
  readonly url: string;
  readonly book: ReceiverBook;
  /** Changes the misbehaviour switches at run time; returns them as JSON shows them. */
  misbehave(change: unknown): Record<string, boolean | number>;
  close(): Promise<void>;
}

/**
 * hilfarm's push receiver (issue 18, item 4): an HTTP server taking the seed's pushes on one path, checking them with
 * `ReceiverBook` and answering in the documented format (or misbehaving on command). Logs name the verdict and the
 * code, never a header or a body (`sign`, the client ids, the data).
 */
export async function startPushReceiver(options: PushReceiverOptions): Promise<PushReceiver> {
  const { clock, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_PUSH_BODY_BYTES;
  const bodyDeadlineMs = options.bodyDeadlineMs ?? PUSH_BODY_DEADLINE_MS;
  const book = new ReceiverBook({ ...options, maxBodyBytes, bodyDeadlineMs });
  const held = new Set<Timer>();

  const write = (res: ServerResponse, answer: PlannedAnswer) => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(answer.status, answer.headers);
    res.end(answer.text);
  };
  const send = (res: ServerResponse, answer: PlannedAnswer) => {
    if (answer.delayMs <= 0) return write(res, answer);
    // slowMs (misbehaviour): the answer waits on the clock.
    const timer = clock.setTimeout(
      () => {
        held.delete(timer);
        write(res, answer);
      },
      answer.delayMs,
      "push-receiver-slow-answer",
    );
    held.add(timer);
  };
  const take = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Parameters<ReceiverBook["receive"]>[0]["body"],
  ) => {
    const { record, answer } = book.receive({
      method: req.method ?? "",
      target: req.url ?? "",
      headers: req.headers,
      body,
      now: clock.now(),
    });
    logger.debug(
      { seq: record.seq, verdict: record.verdict, code: record.code, answer: record.answer.kind },
      "push",
    );
    try {
      options.onRecord(record);
    } catch (error) {
      logger.warn(
        { reason: error instanceof Error ? error.message : String(error) },
        "push record not written",
      );
    }
    if (answer !== undefined) send(res, answer);
  };
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 60_000 }, (req, res) => {
    readBoundedBody(req, maxBodyBytes, { clock, ms: bodyDeadlineMs }).then(
      (body) => take(req, res, body),
      () => take(req, res, "aborted"),
    );
  });
  const endConnections = trackConnections(server);
  const host = options.host ?? "127.0.0.1";
  const port = await listenTcp(server, options.port ?? 0, host, (error) =>
    logger.warn({ reason: error.message }, "push receiver: accept failed"),
  );
  const url = `http://${hostPort(host, port)}${book.path}`;
  logger.info({ url, signing: options.signing !== undefined }, "push receiver ready");
  return {
    url,
    book,
    misbehave(change) {
      const shown = shownMisbehaviour(book.misbehave(change));
      logger.info({ misbehaviour: shown }, "push receiver misbehaviour");
      return shown;
    },
    async close() {
      for (const timer of held) timer.cancel();
      held.clear();
      endConnections();
      await closeListener(server);
    },
  };
}
