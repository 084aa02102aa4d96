import { createHash } from "node:crypto";
import type { PlatformRequest } from "./model.ts";

export type UpgradeNotice = Extract<PlatformRequest, { code: 2025 }>["body"];

export interface UpgradeOutcome {
  type: "0" | "1";
  moduleName?: string;
  /** "0" success, "1" failure (download failed or MD5 mismatch), 5.4.3.16. */
  status: "0" | "1";
  /** The version now running: the new one on success, the old one on failure. */
  version: string;
  reason: string;
}

/** Downloads the firmware a 2025 names, checks its MD5, and says what the 2026 must report. */
export async function performUpgrade(
  notice: UpgradeNotice,
  currentVersion: (module?: string) => string,
): Promise<UpgradeOutcome> {
  const target = notice.device ?? notice.modules?.[0];
  const moduleName = notice.device === undefined ? notice.modules?.[0]?.name : undefined;
  const base = {
    type: moduleName === undefined ? ("0" as const) : ("1" as const),
    ...(moduleName === undefined ? {} : { moduleName }),
  };
  if (target === undefined)
    return { ...base, status: "1", version: currentVersion(moduleName), reason: "no firmware named" };
  try {
    const response = await fetch(target.url);
    if (!response.ok)
      return {
        ...base,
        status: "1",
        version: currentVersion(moduleName),
        reason: `download failed: HTTP ${response.status}`,
      };
    const md5 = createHash("md5")
      .update(Buffer.from(await response.arrayBuffer()))
      .digest("hex");
    if (md5 !== target.md5.toLowerCase()) {
      return {
        ...base,
        status: "1",
        version: currentVersion(moduleName),
        reason: `MD5 mismatch: got ${md5}, expected ${target.md5}`,
      };
    }
    return { ...base, status: "0", version: target.version, reason: "installed" };
  } catch (error) {
    return {
      ...base,
      status: "1",
      version: currentVersion(moduleName),
      reason: `download failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
