import type { PacketTable } from "../cts/packet-table.ts";

/** Spec table 5.2.1: every Mc packet type, who sends it, and the request -> response pairing. */

export type Sender = "device" | "platform";
export type Role = "request" | "response";

export interface PacketType {
  readonly code: number;
  /** The name this project gives the packet, after the spec's description. */
  readonly name: string;
  readonly sender: Sender;
  readonly role: Role;
  /** For a request, the code of its response; for a response, the code of its request. */
  readonly pair: number;
}

const table = [
  [1000, "HeartbeatRequest", "device", "request", 1001],
  [1001, "HeartbeatResponse", "platform", "response", 1000],
  [1002, "LoginRequest", "device", "request", 1003],
  [1003, "LoginResponse", "platform", "response", 1002],
  [1004, "ConnectRequest", "device", "request", 1005],
  [1005, "ConnectResponse", "platform", "response", 1004],
  [2000, "AttributeConstraintResponse", "device", "response", 2001],
  [2001, "AttributeConstraintRequest", "platform", "request", 2000],
  [2002, "StatusQueryResponse", "device", "response", 2003],
  [2003, "StatusQueryRequest", "platform", "request", 2002],
  [2004, "ControlResponse", "device", "response", 2005],
  [2005, "ControlRequest", "platform", "request", 2004],
  [2006, "StatusReportRequest", "device", "request", 2007],
  [2007, "StatusReportResponse", "platform", "response", 2006],
  [2008, "AlarmRequest", "device", "request", 2009],
  [2009, "AlarmResponse", "platform", "response", 2008],
  [2010, "FaultRequest", "device", "request", 2011],
  [2011, "FaultResponse", "platform", "response", 2010],
  [2012, "SubDeviceAuthRequest", "device", "request", 2013],
  [2013, "SubDeviceAuthResponse", "platform", "response", 2012],
  [2014, "SubDeviceUnbindResponse", "device", "response", 2015],
  [2015, "SubDeviceUnbindRequest", "platform", "request", 2014],
  [2016, "SubDeviceBindReportRequest", "device", "request", 2017],
  [2017, "SubDeviceBindReportResponse", "platform", "response", 2016],
  [2018, "SubDeviceUnbindReportRequest", "device", "request", 2019],
  [2019, "SubDeviceUnbindReportResponse", "platform", "response", 2018],
  [2020, "SubDeviceOnlineReportRequest", "device", "request", 2021],
  [2021, "SubDeviceOnlineReportResponse", "platform", "response", 2020],
  [2022, "VersionReportRequest", "device", "request", 2023],
  [2023, "VersionReportResponse", "platform", "response", 2022],
  [2024, "UpgradeNoticeResponse", "device", "response", 2025],
  [2025, "UpgradeNoticeRequest", "platform", "request", 2024],
  [2026, "UpgradeResultRequest", "device", "request", 2027],
  [2027, "UpgradeResultResponse", "platform", "response", 2026],
  [2028, "ResourceChangeReportRequest", "device", "request", 2029],
  [2029, "ResourceChangeReportResponse", "platform", "response", 2028],
  [2030, "ResourceManagementResponse", "device", "response", 2031],
  [2031, "ResourceManagementRequest", "platform", "request", 2030],
  [2032, "EventReportRequest", "device", "request", 2033],
  [2033, "EventReportResponse", "platform", "response", 2032],
  [3000, "SpeechSynthesisRequest", "device", "request", 3001],
  [3001, "SpeechSynthesisResponse", "platform", "response", 3000],
  [3002, "VoiceControlRequest", "device", "request", 3003],
  [3003, "VoiceControlResponse", "platform", "response", 3002],
] as const satisfies ReadonlyArray<readonly [number, string, Sender, Role, number]>;

/** One row of table 5.2.1 as a type: code, name, sender, role, pair. */
export type McPacketRow = (typeof table)[number];
export type McCode = McPacketRow[0];
export type McPacketName = (typeof table)[number][1];

export const packetTypes: ReadonlyMap<number, PacketType> = new Map(
  table.map(([code, name, sender, role, pair]) => [code, { code, name, sender, role, pair }]),
);

export const mcCodes: readonly McCode[] = table.map((row) => row[0]);

export function isMcCode(code: unknown): code is McCode {
  return typeof code === "number" && packetTypes.has(code);
}

export function packetType(code: McCode): PacketType {
  // Every McCode is in the table by construction.
  return packetTypes.get(code) as PacketType;
}

/** The response code that answers a request code (5.2.1; docs/protocol-readings.md, "Bodies (5.4.2, 5.4.3)"). */
export function responseCodeFor(request: McCode): McCode {
  const type = packetType(request);
  if (type.role !== "request") throw new RangeError(`code ${request} (${type.name}) is not a request`);
  return type.pair as McCode;
}

/** Login frames are encrypted with the PIN; everything after login with the session key (5.2.2 item 2). */
export function keyKindFor(code: McCode): "pin" | "session" {
  return code === 1002 || code === 1003 ? "pin" : "session";
}

/** The clear-text envelope carries `token` on every device-sent frame after login. */
export function envelopeCarriesToken(code: McCode): boolean {
  return packetType(code).sender === "device" && code !== 1002;
}

/** The clear-text envelope carries `deviceId` on the login request only. */
export function envelopeCarriesDeviceId(code: McCode): boolean {
  return code === 1002;
}

/** Table 5.2.1 as the CTS framing reads it. */
export const mcPacketTable: PacketTable<McCode> = {
  description: "table 5.2.1",
  isCode: isMcCode,
  nameOf: (code) => packetType(code).name,
  carriesDeviceId: envelopeCarriesDeviceId,
  carriesToken: envelopeCarriesToken,
};
