import type { Logger } from "pino";
import type { Clock } from "../../harness/clock/clock.ts";
import { unixSeconds } from "../../harness/clock/clock.ts";
import { errorFields } from "../../harness/protocol/mc/error-fields.ts";
import { McResult } from "../../harness/protocol/mc/result-codes.ts";
import type { Fanout } from "./fanout/index.ts";
import type { PlatformTiming } from "./options.ts";
import type { Registry } from "./registry/index.ts";
import type { DeviceRequest, DeviceSession, RequestHandler, ResponseFields } from "./session.ts";
import type { StateStore } from "./state-store.ts";
import type { Recognizer, Synthesizer } from "./voice.ts";

/** What the business handlers work with. */
export interface BusinessContext {
  clock: Clock;
  timing: PlatformTiming;
  registry: Registry;
  store: StateStore;
  fanout: Pick<Fanout, "publish">;
  logger: Logger;
  recognizer: Recognizer;
  synthesizer: Synthesizer;
  /** Called after every state report stored, so the northbound API can wait for the one a control causes. */
  onStateReport: (deviceId: string) => void;
}

/**
 * The platform's answers to device requests (5.4.3): each updates the state store, fans the change out,
 * and returns the response fields.
 */
export function createBusinessHandler(ctx: BusinessContext): RequestHandler {
  const voiceSegments = new WeakMap<DeviceSession, Map<string, Buffer[]>>();

  const answer = (
    deviceId: string,
    extra: Record<string, unknown> = {},
    result: number = McResult.Success,
  ): ResponseFields => ({
    result,
    deviceId,
    ...extra,
    time: unixSeconds(ctx.clock),
  });

  /** The gateway itself, or one of its sub-devices (5.4.3: `deviceId` is the gateway's or a sub-device's). */
  const belongs = (session: DeviceSession, deviceId: string): boolean =>
    deviceId === session.deviceId || ctx.registry.get(deviceId)?.parentId === session.deviceId;

  /**
   * 5.4.3.10: unbinding deletes a sub-device's relation to its gateway, and only a passed sub-device auth (2012,
   * 5.4.3.9) or a bind report (2016) makes it again: until then what the gateway sends about it is refused, so that a
   * report resent across the unbind cannot make it look bound again.
   */
  const unbound = (session: DeviceSession, deviceId: string): boolean =>
    deviceId !== session.deviceId && ctx.store.get(deviceId)?.unbound === true;
  const refuseUnbound = (request: DeviceRequest, deviceId: string): ResponseFields =>
    errorFields(
      request,
      McResult.DeviceIdUnknown,
      unixSeconds(ctx.clock),
      `${deviceId} was unbound from this gateway; a passed sub-device auth (2012) binds it again`,
    );

  /** 5.4.3.3: a report from a sub-device held offline brings it online. */
  const markAlive = (session: DeviceSession, deviceId: string): void => {
    const now = ctx.clock.now();
    if (deviceId === session.deviceId) {
      ctx.store.touch(deviceId, now);
      return;
    }
    if (ctx.store.setOnline(deviceId, true, now, session.channel.transport)) {
      ctx.fanout.publish(deviceId, "online", { online: true, at: now });
    }
  };

  return async (request: DeviceRequest, session: DeviceSession): Promise<ResponseFields> => {
    const { deviceId } = request.body;
    if (!belongs(session, deviceId)) {
      return errorFields(
        request,
        McResult.DeviceIdUnknown,
        unixSeconds(ctx.clock),
        `${deviceId} is not this device or its sub-device`,
      );
    }
    if (unbound(session, deviceId)) return refuseUnbound(request, deviceId);
    const now = ctx.clock.now();

    switch (request.code) {
      case 2006: {
        markAlive(session, deviceId);
        ctx.store.applyStatus(deviceId, request.body.statusSerials);
        if (request.body.resourceSerials !== undefined) {
          const gapMs = ctx.timing.resourceReportGapHeartbeats * ctx.timing.heartbeatSeconds * 1000;
          ctx.store.applyResourceReport(deviceId, request.body.resourceSerials, now, gapMs);
          ctx.fanout.publish(deviceId, "resources", ctx.store.get(deviceId)?.resources);
        }
        ctx.fanout.publish(deviceId, "state", ctx.store.get(deviceId)?.status);
        ctx.onStateReport(deviceId);
        return answer(deviceId);
      }
      case 2028: {
        markAlive(session, deviceId);
        ctx.store.applyResourceChange(deviceId, request.body.resourceSerials);
        ctx.fanout.publish(deviceId, "resources", ctx.store.get(deviceId)?.resources);
        return answer(deviceId);
      }
      case 2032: {
        markAlive(session, deviceId);
        for (const event of request.body.event ?? []) {
          ctx.store.addEvent(deviceId, { kind: "event", receivedAt: now, body: event });
          ctx.fanout.publish(deviceId, "event", event);
        }
        return answer(deviceId);
      }
      case 2008: {
        ctx.store.addEvent(deviceId, { kind: "alarm", receivedAt: now, body: request.body.alarm });
        ctx.fanout.publish(deviceId, "alarm", request.body.alarm);
        return answer(deviceId);
      }
      case 2010: {
        ctx.store.addEvent(deviceId, { kind: "fault", receivedAt: now, body: request.body.error });
        ctx.fanout.publish(deviceId, "fault", request.body.error);
        return answer(deviceId);
      }
      case 2012: {
        // 5.4.3.9: the sub-device's PIN, checked against the registry.
        const { subDeviceId, pin } = request.body;
        const sub = ctx.registry.get(subDeviceId);
        const passed = sub !== undefined && sub.parentId === session.deviceId && sub.pin === pin;
        ctx.logger.info({ gatewayId: session.deviceId, subDeviceId, passed }, "sub-device auth");
        if (passed) ctx.store.setUnbound(subDeviceId, false);
        const result = sub === undefined ? McResult.DeviceIdUnknown : McResult.Success;
        return answer(deviceId, { subDeviceId, authResult: passed ? "0" : "1" }, result);
      }
      case 2016: {
        const { subDeviceId } = request.body;
        const known = ctx.registry.get(subDeviceId)?.parentId === session.deviceId;
        if (known) ctx.store.setUnbound(subDeviceId, false);
        return answer(deviceId, { subDeviceId }, known ? McResult.Success : McResult.DeviceIdUnknown);
      }
      case 2018: {
        const { subDeviceId } = request.body;
        if (!belongs(session, subDeviceId) || subDeviceId === session.deviceId)
          return answer(deviceId, { subDeviceId }, McResult.DeviceIdUnknown);
        ctx.store.setUnbound(subDeviceId, true);
        ctx.fanout.publish(subDeviceId, "online", { online: false, unbound: true, at: now });
        return answer(deviceId, { subDeviceId });
      }
      case 2020: {
        const { subDeviceId, onLine } = request.body;
        if (!belongs(session, subDeviceId) || subDeviceId === session.deviceId) {
          return answer(deviceId, { subDeviceId }, McResult.DeviceIdUnknown);
        }
        if (onLine === "1" && unbound(session, subDeviceId)) return refuseUnbound(request, subDeviceId);
        if (ctx.store.setOnline(subDeviceId, onLine === "1", now, session.channel.transport)) {
          ctx.fanout.publish(subDeviceId, "online", { online: onLine === "1", at: now });
        }
        return answer(deviceId, { subDeviceId });
      }
      case 2022: {
        ctx.store.setVersion(deviceId, request.body.device.version, request.body.modules);
        ctx.fanout.publish(deviceId, "version", ctx.store.get(deviceId)?.version);
        return answer(deviceId);
      }
      case 2026: {
        const { type, moduleName, status, version } = request.body;
        ctx.store.addEvent(deviceId, {
          kind: "upgrade",
          receivedAt: now,
          body: { type, moduleName, status, version },
        });
        if (status === "0") {
          if (type === "0") ctx.store.setVersion(deviceId, version);
          else if (moduleName !== undefined)
            ctx.store.setVersion(deviceId, undefined, [{ name: moduleName, version }]);
        }
        ctx.fanout.publish(deviceId, "upgrade", { type, moduleName, status, version });
        return answer(deviceId);
      }
      case 3000: {
        const { ttsParam } = request.body;
        const synthesis = await ctx.synthesizer({
          deviceId,
          content: ttsParam.content,
          anchor: ttsParam.anchor,
          format: ttsParam.format ?? "amr",
          rate: ttsParam.rate ?? 16000,
        });
        if (!synthesis.ok) return answer(deviceId, {}, synthesis.result);
        return answer(deviceId, { ttsResult: { audioData: synthesis.audio.toString("base64") } });
      }
      case 3002: {
        // 5.4.3.17: segments share a voiceId; 400002 until the last one, then the recognition result.
        const { ctrlParam } = request.body;
        const segments = voiceSegments.get(session) ?? new Map<string, Buffer[]>();
        voiceSegments.set(session, segments);
        const voiceId = ctrlParam.voiceId ?? request.body.sequence;
        const parts = segments.get(voiceId) ?? [];
        parts.push(Buffer.from(ctrlParam.audioData, "base64"));
        if (ctrlParam.isLast === "0") {
          segments.set(voiceId, parts);
          return answer(deviceId, { ctrlResult: {} }, McResult.AwaitingVoiceData);
        }
        segments.delete(voiceId);
        const recognition = await ctx.recognizer({
          deviceId,
          audio: Buffer.concat(parts),
          format: ctrlParam.format,
          rate: ctrlParam.rate,
        });
        if (!recognition.ok) return answer(deviceId, { ctrlResult: {} }, recognition.result);
        return answer(deviceId, {
          ctrlResult: { rawText: recognition.rawText, resultDesc: recognition.resultDesc },
        });
      }
    }
  };
}
