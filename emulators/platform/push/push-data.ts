import type { FanoutKind } from "../fanout/fanout.ts";

/**
 * The `data` of a push (seed, "Request Body parameters": "Specific data pushed to app-sdk", a String). hilfarm's
 * reading: the JSON text of one device change, as the fan-out carries it:
 * `{"msgType":<fan-out kind>,"deviceId":..,"model":..,"time":<ms>,"payload":<the fan-out's payload>}`.
 */
export interface PushData {
  /** The fan-out kind: `state`, `online`, `event`, `alarm`, `fault`, `resources`, `version`, `upgrade`. */
  msgType: FanoutKind;
  deviceId: string;
  /** The device's model, when the platform knows it. */
  model?: string;
  /** When the platform saw the change: ms since 1970 on its clock. */
  time: number;
  payload: unknown;
}

/** The JSON text pushed for one change; a payload JSON cannot carry (a bigint, a cycle) goes as null. */
export function pushData(change: PushData): string {
  const { msgType, deviceId, model, time, payload } = change;
  const head = { msgType, deviceId, ...(model === undefined ? {} : { model }), time };
  try {
    return JSON.stringify({ ...head, payload: payload ?? null });
  } catch {
    return JSON.stringify({ ...head, payload: null });
  }
}
