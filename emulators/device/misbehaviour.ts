/**
 * Named fault switches of an emulated device, settable at start and at run time: a platform under test must be
 * tested against broken devices too. Counters (`dropResponses`, ...) count down as they act.
 */
export interface Misbehaviour {
  /** Send no heartbeats: the platform should declare the device offline at 3 x heartbeat + 10 s (5.4.2.3). */
  skipHeartbeats: boolean;
  /** Answer platform requests this late; past 10 s the platform counts a failed send and resends (5.2). */
  answerLateMs: number;
  /** Swallow the next N responses to platform requests (a lossy link or a busy MCU): the platform resends. */
  dropResponses: number;
  /** Give the next N requests a sequence that is not last + 1: the platform answers 100001 (5.2.2 item 5). */
  wrongSequence: number;
  /** Flip a byte of the ciphertext in the next N frames: the platform drops them silently (5.2.2 item 6). */
  corruptCiphertext: number;
  /** Break the framing of the next N frames (no `CTS`): the platform drops them silently. */
  garbleFrames: number;
  /** A gateway presents wrong PINs for its sub-devices: the platform answers authResult "1" (5.4.3.9). */
  refuseSubDeviceAuth: boolean;
  /** Report the opposite firmware result: success after an MD5 mismatch, failure after a good download. */
  wrongUpgradeResult: boolean;
  /** LAN discovery answers with `deviceIdLength` off by one: an app reading the struct misplaces every later field. */
  lanWrongLength: boolean;
  /** The LAN control port authenticates any well-formed lanKey, as a device that never checks it (6.2.2). */
  lanAcceptBadKey: boolean;
  /** The lanKey never expires: a session outlives its `liveTime` (6.2.2). */
  lanIgnoreLiveTime: boolean;
  /** Answers LAN `query` and `opt` with another `mid` than the request's (6.2.3, 6.2.4). */
  lanWrongMid: boolean;
  /** Never posts spontaneous state changes to LAN clients (6.2.5); the answer to an `opt` still goes out. */
  lanNoPosts: boolean;
  /** A lock answers the platform's key orders (2031) with 899999: it could not store the password. */
  refuseKeyOrders: boolean;
  /**
   * A gateway's sub-devices leave this many radio tries of a platform request unanswered. The gateway tries 4 times,
   * 2 s apart (a send and 3 resends, as the lock API's Zigbee flow says): 1-3 is a late answer, 4 or more none, and
   * the gateway then answers 300001.
   */
  subDeviceSilentTries: number;
}

export const wellBehaved = (): Misbehaviour => ({
  skipHeartbeats: false,
  answerLateMs: 0,
  dropResponses: 0,
  wrongSequence: 0,
  corruptCiphertext: 0,
  garbleFrames: 0,
  refuseSubDeviceAuth: false,
  wrongUpgradeResult: false,
  lanWrongLength: false,
  lanAcceptBadKey: false,
  lanIgnoreLiveTime: false,
  lanWrongMid: false,
  lanNoPosts: false,
  refuseKeyOrders: false,
  subDeviceSilentTries: 0,
});

export const misbehaviourNames = Object.keys(wellBehaved()) as Array<keyof Misbehaviour>;
