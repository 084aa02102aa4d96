/** Result codes of the Mc interface, spec 5.4.4. */
export const McResult = {
  Success: 0,
  /** Illegal request parameter: bad format, a required parameter empty; also the sequence error (5.2.2 item 5). */
  InvalidParameter: 100001,
  DeviceIdUnknown: 200001,
  WrongPin: 200002,
  AuthFailed: 200003,
  DeviceOffline: 300001,
  CommandUnsupported: 300002,
  SpeakerUnknown: 400001,
  AwaitingVoiceData: 400002,
  VoiceDeviceNotOnGateway: 400003,
  VoiceServiceUnsupported: 400004,
  VoiceRecognitionFailed: 400005,
  DeviceUnknownError: 899999,
  PlatformUnknownError: 999999,
} as const;
export type McResultCode = (typeof McResult)[keyof typeof McResult];

const mcNames = new Map<number, string>(Object.entries(McResult).map(([name, code]) => [code, name]));

/** `300001` -> `DeviceOffline`; an unlisted code is named by its number. */
export function mcResultName(code: number): string {
  return mcNames.get(code) ?? `Result${code}`;
}
