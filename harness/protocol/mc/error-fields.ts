import type { McMessage } from "./schemas/index.ts";

/** The fields of a response body, `sequence` aside. */
export type ResponseFields = { result: number } & Record<string, unknown>;

/**
 * The fields of an error answer to a request, valid for its response code: the ids the request named, `authResult`
 * "1" for a sub-device auth, `dscp` where the response requires it (2004). Every error answer the platform or an
 * emulated device gives goes through here, so none can fail its own schema.
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
