import { LockApiError } from "../../../harness/protocol/lock-api/errors.ts";
import type { LockHandlerContext, LockHandlers } from "./lock-call.ts";
import { ALBUM_PLAN, ALBUM_WINDOW_MS, latestMedia, MediaViewBook, mediaOf } from "./media-fixtures.ts";
import { remoteLock } from "./remote-lock-of.ts";

/** The locks' media (deterministic fixtures of the events they reported) and video view counts. */
export function mediaHandlers(_context: LockHandlerContext): LockHandlers {
  const views = new MediaViewBook();
  const eventsOf = (deviceId: string, store: LockHandlerContext["platform"]["store"]) =>
    store.get(deviceId)?.events ?? [];
  return {
    getLatestMediaUrl: (call, deps) => {
      const { deviceId } = remoteLock(call, deps);
      const fileType = (call.query as { file_type: 1 | 2 }).file_type;
      const latest = latestMedia(deviceId, eventsOf(deviceId, deps.store), fileType, call.now);
      if (latest === undefined)
        throw new LockApiError(
          "dataNotExist",
          `no ${fileType === 1 ? "remote unlocking" : "alert"} of lock ${deviceId} in the last 90 s`,
          "file_type",
          String(fileType),
        );
      return {
        file_url: latest.fileUrl,
        file_key: latest.fileKey,
        bucket: latest.bucket,
        file_path: latest.filePath,
      };
    },
    // seed line 2889: the example's snake_case names and text `order_code` (the catalogue's reading).
    listAlbumsMedia: (call, deps) => {
      const { deviceId } = remoteLock(call, deps);
      const files = mediaOf(deviceId, eventsOf(deviceId, deps.store), call.now - ALBUM_WINDOW_MS, call.now);
      return {
        event_types: [...new Set(files.map((f) => f.eventType))].sort((a, b) => a - b),
        album_list: files.map((f) => ({
          event_type: f.eventType,
          file_url: f.fileUrl,
          file_key: f.fileKey,
          media_path: f.mediaPath,
          media_key: f.mediaKey,
          media_bucket: f.bucket,
          upload_time: f.uploadTime,
        })),
        order_code: ALBUM_PLAN,
      };
    },
    getMediaViewTimes: (call, deps) => views.count(remoteLock(call, deps).deviceId),
    addMediaViewTime: (call, deps) => views.add(remoteLock(call, deps).deviceId),
  };
}
