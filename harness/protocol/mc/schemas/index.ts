import type { z } from "zod";
import type { McCode } from "../packet-types.ts";
import * as business from "./business.ts";
import * as channel from "./channel.ts";
import * as voice from "./voice.ts";

/** The body schema of every packet type in spec table 5.2.1, by code. */
export const bodySchemas = {
  1000: channel.HeartbeatRequest,
  1001: channel.HeartbeatResponse,
  1002: channel.LoginRequest,
  1003: channel.LoginResponse,
  1004: channel.ConnectRequest,
  1005: channel.ConnectResponse,
  2000: business.AttributeConstraintResponse,
  2001: business.AttributeConstraintRequest,
  2002: business.StatusQueryResponse,
  2003: business.StatusQueryRequest,
  2004: business.ControlResponse,
  2005: business.ControlRequest,
  2006: business.StatusReportRequest,
  2007: business.StatusReportResponse,
  2008: business.AlarmRequest,
  2009: business.AlarmResponse,
  2010: business.FaultRequest,
  2011: business.FaultResponse,
  2012: business.SubDeviceAuthRequest,
  2013: business.SubDeviceAuthResponse,
  2014: business.SubDeviceUnbindResponse,
  2015: business.SubDeviceUnbindRequest,
  2016: business.SubDeviceBindReportRequest,
  2017: business.SubDeviceBindReportResponse,
  2018: business.SubDeviceUnbindReportRequest,
  2019: business.SubDeviceUnbindReportResponse,
  2020: business.SubDeviceOnlineReportRequest,
  2021: business.SubDeviceOnlineReportResponse,
  2022: business.VersionReportRequest,
  2023: business.VersionReportResponse,
  2024: business.UpgradeNoticeResponse,
  2025: business.UpgradeNoticeRequest,
  2026: business.UpgradeResultRequest,
  2027: business.UpgradeResultResponse,
  2028: business.ResourceChangeReportRequest,
  2029: business.ResourceChangeReportResponse,
  2030: business.ResourceManagementResponse,
  2031: business.ResourceManagementRequest,
  2032: business.EventReportRequest,
  2033: business.EventReportResponse,
  3000: voice.SpeechSynthesisRequest,
  3001: voice.SpeechSynthesisResponse,
  3002: voice.VoiceControlRequest,
  3003: voice.VoiceControlResponse,
} as const satisfies Record<McCode, z.ZodType>;

export type BodyOf<C extends McCode> = z.output<(typeof bodySchemas)[C]>;

/** A decoded Mc message: the packet code and its typed body. Narrow on `code`. */
export type McMessage = { [C in McCode]: { code: C; body: BodyOf<C> } }[McCode];

export type HeartbeatRequest = BodyOf<1000>;
export type HeartbeatResponse = BodyOf<1001>;
export type LoginRequest = BodyOf<1002>;
export type LoginResponse = BodyOf<1003>;
export type ConnectRequest = BodyOf<1004>;
export type ConnectResponse = BodyOf<1005>;
export type ControlRequest = BodyOf<2005>;
export type ControlResponse = BodyOf<2004>;
export type StatusReportRequest = BodyOf<2006>;
export type SubDeviceAuthRequest = BodyOf<2012>;
export type UpgradeNoticeRequest = BodyOf<2025>;
export type EventReportRequest = BodyOf<2032>;

export { business, channel, voice };
