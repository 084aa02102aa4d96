/** 6.2.6: the result codes of the LAN interface (`code` of a `resp`, of a discovery answer). */
export const mdResultCodes = {
  ok: 0,
  badParameters: 100001,
  unknownDevice: 200001,
  wrongPin: 200002,
  authFailed: 200003,
  offline: 300001,
  unsupported: 300002,
  speakerUnknown: 400001,
  awaitingVoiceData: 400002,
  noDeviceInVoice: 400003,
  voiceUnsupported: 400004,
  recognitionFailed: 400005,
  deviceUnknownError: 899999,
  platformUnknownError: 999999,
} as const;

export type MdResultCode = (typeof mdResultCodes)[keyof typeof mdResultCodes];
