/**
 * What a receiver answers a push, and how a sender judges the answer. The seed's "Response Format" example is blank;
 * it says only that an answer not in the format marks the receiver abnormal. hilfarm's reading (an option, both
 * ends): the open API's own envelope, `{"code":0,"requestId":"","message":"Success","msgDetails":null}`, HTTP 200.
 * - `code`: an answer is normal when it is HTTP 200 and a JSON object with `code` 0 (the default);
 * - `exact`: `message` must also be "Success" and `requestId` and `msgDetails` present.
 */

export type PushAnswerFormat = "code" | "exact";

export const PUSH_SUCCESS_ANSWER = { code: 0, requestId: "", message: "Success", msgDetails: null } as const;

/** Why an answer is abnormal, or undefined when it is in the format. */
export function abnormalAnswer(
  status: number,
  text: string,
  format: PushAnswerFormat = "code",
): string | undefined {
  if (status !== 200) return `HTTP ${status}`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "a body that is not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "a body that is not a JSON object";
  const answer = value as Record<string, unknown>;
  if (answer.code !== 0) return `code ${JSON.stringify(answer.code)}, not 0`;
  if (format === "exact") {
    if (answer.message !== "Success") return `message ${JSON.stringify(answer.message)}, not "Success"`;
    if (!("requestId" in answer) || !("msgDetails" in answer)) return "no requestId or msgDetails";
  }
  return undefined;
}
