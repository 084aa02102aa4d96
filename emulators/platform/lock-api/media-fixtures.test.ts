import { describe, expect, it } from "vitest";
import type { DeviceEvent } from "../state-store.ts";
import {
  LATEST_MEDIA_WINDOW_MS,
  latestMedia,
  MediaViewBook,
  mediaEventType,
  mediaFile,
  mediaInfosOf,
  mediaOf,
} from "./media-fixtures.ts";

const T0 = 1_700_000_000_000;

const event = (receivedAt: number, eventName: string, info: Record<string, string> = {}): DeviceEvent => ({
  kind: "event",
  receivedAt,
  body: { serialId: "0", eventName, eventInfo: [info] },
});

describe("media fixtures", () => {
  it("map the lock's reports to the seed's album event types", () => {
    expect(mediaEventType(event(T0, "LOCK_OPEN", { TYPE: "REMOTE" }))).toBe(16);
    expect(mediaEventType(event(T0, "LOCK_OPEN", { TYPE: "PASSWORD", KEY_ID: "T12" }))).toBe(14);
    expect(mediaEventType(event(T0, "LOCK_OPEN", { TYPE: "PASSWORD", KEY_ID: "3" }))).toBe(9);
    expect(mediaEventType(event(T0, "HIJACK"))).toBe(19);
    expect(mediaEventType(event(T0, "WRONG_CODE"))).toBe(3);
    expect(mediaEventType({ kind: "alarm", receivedAt: T0, body: { statusName: "BATTERY" } })).toBe(20);
    expect(mediaEventType({ kind: "fault", receivedAt: T0, body: {} })).toBe(0);
    expect(mediaEventType({ kind: "upgrade", receivedAt: T0, body: {} })).toBeUndefined();
    expect(mediaEventType(event(T0, "LOCK_OPEN", { TYPE: "KEY" }))).toBeUndefined();
  });

  it("name each file from the device, the event type and the second: stable, distinct per event", () => {
    const a = mediaFile("dev 1", 16, T0 + 999);
    expect(a).toEqual(mediaFile("dev 1", 16, T0));
    expect(a.filePath).toBe(`/dev%201/16/${T0 / 1000}.jpg`);
    expect(a.mediaPath).toBe(`/dev%201/16/${T0 / 1000}.mp4`);
    expect(a.fileUrl).toBe(`https://media.hilfarm.invalid/hilfarm-media/dev%201/16/${T0 / 1000}.jpg`);
    expect(a.mediaUrl).toBe(`https://media.hilfarm.invalid/hilfarm-media/dev%201/16/${T0 / 1000}.mp4`);
    const keys = new Set(
      [mediaFile("dev 1", 16, T0 + 1000), mediaFile("dev 2", 16, T0), mediaFile("dev 1", 3, T0), a].flatMap(
        (f) => [f.fileKey, f.mediaKey],
      ),
    );
    expect(keys.size).toBe(8);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{16}$/);
  });

  it("list the media of a window newest first, and the latest of a file type within 90 s", () => {
    const events = [
      event(T0, "LOCK_OPEN", { TYPE: "REMOTE" }),
      event(T0 + 10_000, "WRONG_CODE"),
      event(T0 + 20_000, "LOCK_OPEN", { TYPE: "KEY" }),
    ];
    expect(mediaOf("d", events, T0, T0 + 30_000).map((m) => m.eventType)).toEqual([3, 16]);
    expect(mediaOf("d", events, T0 + 1, T0 + 30_000).map((m) => m.eventType)).toEqual([3]);
    expect(latestMedia("d", events, 1, T0 + 30_000)?.eventType).toBe(16);
    expect(latestMedia("d", events, 2, T0 + 30_000)?.eventType).toBe(3);
    expect(latestMedia("d", events, 1, T0 + LATEST_MEDIA_WINDOW_MS)?.eventType).toBe(16);
    expect(latestMedia("d", events, 1, T0 + LATEST_MEDIA_WINDOW_MS + 1)).toBeUndefined();
  });

  it("give a log's media_infos: the same cover and video as the albums, none for an event they do not name", () => {
    const opened = event(T0, "LOCK_OPEN", { TYPE: "REMOTE" });
    const file = mediaFile("d", 16, T0);
    expect(mediaInfosOf("d", opened)).toEqual([
      { file_url: file.fileUrl, file_key: file.fileKey, media_url: file.mediaUrl, media_key: file.mediaKey },
    ]);
    expect(mediaInfosOf("d", event(T0, "LOCK_OPEN", { TYPE: "KEY" }))).toEqual([]);
  });

  it("count video views per lock", () => {
    const views = new MediaViewBook();
    expect(views.count("a")).toBe(0);
    expect(views.add("a")).toBe(1);
    expect(views.add("a")).toBe(2);
    expect(views.count("b")).toBe(0);
    expect(views.count("a")).toBe(2);
  });
});
