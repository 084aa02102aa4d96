import type { McMessage } from "../../harness/protocol/ct/schemas/index.ts";
import type { ResponseFields } from "./session.ts";

/**
 * The fields of an error answer to a device request, valid for its response code: the ids the request named,
 * `authResult` "1" for a sub-device auth, `dscp` where the response requires it. Every error answer the platform
 * gives goes through here, so none can fail its own schema.
 */
export function errorFields(request: McMessage, result: number, time: number, dscp?: string): ResponseFields {
  const body = request.body as { deviceId?: string; subDeviceId?: string };
  const fields: ResponseFields = { result };
  if (body.deviceId !== undefined && request.code !== 1000 && request.code !== 1004)
    fields.deviceId = body.deviceId;
  if (body.subDeviceId !== undefined) fields.subDeviceId = body.subDeviceId;
  if (request.code === 2012) fields.authResult = "1";
  if (dscp !== undefined || request.code === 2005) fields.dscp = dscp ?? "";
  fields.time = time;
  return fields;
}
