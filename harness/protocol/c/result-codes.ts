/** 7.3.1.9 and 7.3.2.12: the result codes (`code`) of every C response; both sides use the same table. */
export const cResultCodes = {
  success: 0,
  tokenInvalid: 1001,
  badParameters: 1002,
  deviceUnknown: 1003,
  failure: 9999,
} as const;

export type CResultName = keyof typeof cResultCodes;
export type CResultCode = (typeof cResultCodes)[CResultName];

/** 7.3.1.9: the description column, the default `desc` of a response. */
export const cResultDescriptions: Readonly<Record<CResultCode, string>> = {
  0: "成功",
  1001: "Token 失效",
  1002: "请求参数错误",
  1003: "设备不存在",
  9999: "失败",
};

const names = new Map<number, CResultName>(
  Object.entries(cResultCodes).map(([name, code]) => [code, name as CResultName]),
);

export function isCResultCode(code: number): code is CResultCode {
  return names.has(code);
}

/** `1002` -> `badParameters`; a code the table does not list is named by its number. */
export function cResultName(code: number): string {
  return names.get(code) ?? `result${code}`;
}
