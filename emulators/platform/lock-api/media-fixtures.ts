import { createHash } from "node:crypto";
import type { DeviceEvent } from "../state-store.ts";

/**
 * The locks' media as deterministic fixtures, pure: no image is captured or stored; each event the lock reported
 * that the seed's albums name (seed line 2850, "Description of eventType") has a cover image and a video whose
 * paths and keys follow from the device id, the event type and the second it was received, the same on every call.
 */

export const MEDIA_BASE = "https://media.hilfarm.invalid";
export const MEDIA_BUCKET = "hilfarm-media";

/** seed line 2268: "get the unlocking or alert media in the last 90 seconds". */
export const LATEST_MEDIA_WINDOW_MS = 90_000;
/** seed line 2837: the plan the albums answer: free cloud storage for 3 days. */
export const ALBUM_PLAN = "cloud_free_storage_3day";
export const ALBUM_WINDOW_MS = 3 * 24 * 3_600_000;

/** seed lines 2853-2881: the album event types the emulated locks' reports map to. */
export const MediaEventType = {
  antiPry: 0,
  remoteUnlockRequest: 1,
  passwordFailed: 3,
  unlockPassword: 9,
  unlockTemporary: 14,
  remoteUnlocking: 16,
  duress: 19,
  lowBattery: 20,
} as const;

/** `file_type` 1: remote unlocking; 2: alerts (seed line 2751). */
const LATEST_TYPES: Readonly<Record<1 | 2, readonly number[]>> = {
  1: [MediaEventType.remoteUnlockRequest, MediaEventType.remoteUnlocking],
  2: [
    MediaEventType.antiPry,
    MediaEventType.passwordFailed,
    MediaEventType.duress,
    MediaEventType.lowBattery,
  ],
};

type Info = Record<string, string>;

/** The album event type of a reported event, if the albums name one. */
export function mediaEventType(e: DeviceEvent): number | undefined {
  if (e.kind === "fault") return MediaEventType.antiPry;
  if (e.kind === "alarm") return e.body.statusName === "BATTERY" ? MediaEventType.lowBattery : undefined;
  if (e.kind !== "event") return undefined;
  const info = ((e.body.eventInfo as Info[] | undefined)?.[0] ?? {}) as Info;
  switch (e.body.eventName) {
    case "LOCK_OPEN":
      if (info.TYPE === "REMOTE") return MediaEventType.remoteUnlocking;
      if (info.TYPE === "PASSWORD")
        return /^T\d+$/.test(info.KEY_ID ?? "")
          ? MediaEventType.unlockTemporary
          : MediaEventType.unlockPassword;
      return undefined;
    case "HIJACK":
      return MediaEventType.duress;
    case "WRONG_CODE":
      return MediaEventType.passwordFailed;
    default:
      return undefined;
  }
}

export interface MediaFile {
  eventType: number;
  /** Unix seconds the platform received the event. */
  uploadTime: number;
  bucket: string;
  filePath: string;
  fileUrl: string;
  fileKey: string;
  mediaPath: string;
  /** The video's full URL (the open and alarm logs' `media_url`). */
  mediaUrl: string;
  mediaKey: string;
}

/** 16 hex characters, as the seed's sample keys (`u8kstrtjm7qun83q`), from what names the file. */
const keyOf = (...parts: Array<string | number>) =>
  createHash("sha256").update(parts.join("/")).digest("hex").slice(0, 16);

/** The cover image and the video of one event of one lock. */
export function mediaFile(deviceId: string, eventType: number, receivedAt: number): MediaFile {
  const uploadTime = Math.floor(receivedAt / 1000);
  const stem = `/${encodeURIComponent(deviceId)}/${eventType}/${uploadTime}`;
  return {
    eventType,
    uploadTime,
    bucket: MEDIA_BUCKET,
    filePath: `${stem}.jpg`,
    fileUrl: `${MEDIA_BASE}/${MEDIA_BUCKET}${stem}.jpg`,
    fileKey: keyOf("cover", deviceId, eventType, uploadTime),
    mediaPath: `${stem}.mp4`,
    mediaUrl: `${MEDIA_BASE}/${MEDIA_BUCKET}${stem}.mp4`,
    mediaKey: keyOf("video", deviceId, eventType, uploadTime),
  };
}

/** Every media file of the lock's events received in [`from`, `to`], newest first. */
export function mediaOf(
  deviceId: string,
  events: readonly DeviceEvent[],
  from: number,
  to: number,
): MediaFile[] {
  return events
    .filter((e) => e.receivedAt >= from && e.receivedAt <= to)
    .flatMap((e) => {
      const type = mediaEventType(e);
      return type === undefined ? [] : [{ at: e.receivedAt, file: mediaFile(deviceId, type, e.receivedAt) }];
    })
    .sort((a, b) => b.at - a.at)
    .map((m) => m.file);
}

/**
 * seed lines 1421-1429 and 1620-1628: the `media_infos` of one open or alarm log, its cover and video (none for a
 * report the albums do not name): the same files the albums and the latest-media URL give.
 */
export function mediaInfosOf(
  deviceId: string,
  event: DeviceEvent,
): Array<{ file_url: string; file_key: string; media_url: string; media_key: string }> {
  const type = mediaEventType(event);
  if (type === undefined) return [];
  const file = mediaFile(deviceId, type, event.receivedAt);
  return [
    { file_url: file.fileUrl, file_key: file.fileKey, media_url: file.mediaUrl, media_key: file.mediaKey },
  ];
}

/** The newest cover of `fileType` within the last 90 s, if any. */
export function latestMedia(
  deviceId: string,
  events: readonly DeviceEvent[],
  fileType: 1 | 2,
  now: number,
): MediaFile | undefined {
  return mediaOf(deviceId, events, now - LATEST_MEDIA_WINDOW_MS, now).find((m) =>
    LATEST_TYPES[fileType].includes(m.eventType),
  );
}

/** Video views counted per lock (the seed's requests name no file: seed lines 2168, 2214). */
export class MediaViewBook {
  readonly #views = new Map<string, number>();

  count(deviceId: string): number {
    return this.#views.get(deviceId) ?? 0;
  }

  /** One more view; the new count. */
  add(deviceId: string): number {
    const count = this.count(deviceId) + 1;
    this.#views.set(deviceId, count);
    return count;
  }
}
