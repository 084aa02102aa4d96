import { UsageError } from "../../../harness/errors.ts";
import type { CResponse, CSuccess } from "../../../harness/protocol/c/index.ts";
import { cInterfaces, cResultCodes, cResultName } from "../../../harness/protocol/c/index.ts";
import { ThirdPartyError } from "../../interop/errors.ts";
import {
  isCSuccess,
  type ThirdPartyCallId,
  type ThirdPartyClient,
  type ThirdPartyRequest,
} from "../../interop/third-party-client.ts";
import { resourceChanges, resourceSerials, statusSerials } from "../c-notify/mapping.ts";
import { PlatformError } from "../errors.ts";
import type { Fanout } from "../fanout/index.ts";
import type { ControlCommand } from "../operations.ts";
import type { Presence } from "../presence.ts";
import type { DeviceRecord, ResourceSerials, StateStore } from "../state-store.ts";

export interface ThirdPartyOperationsDeps {
  readonly client: Pick<ThirdPartyClient, "call">;
  readonly store: StateStore;
  readonly presence: Presence;
  readonly fanout: Pick<Fanout, "publish">;
  /** The third party's base URL, for messages. */
  readonly url: string;
}

export interface BindRequest {
  deviceSN: string;
  deviceType?: string;
  bindKey?: string;
}

/**
 * What the app asks of a device behind the third-party platform (7.2 steps 3 and 4), as calls of C22-C31 (7.3.2).
 * The platform keeps the user's bindings (7.3.2.2: "智能家居平台维护用户与设备的绑定关系"): a device joins the
 * state store when the third party accepts its bind, and leaves it (unbound) when it accepts the unbind.
 */
export class ThirdPartyOperations {
  constructor(private readonly deps: ThirdPartyOperationsDeps) {}

  /** C22: the answer names the `deviceType` the third party holds the device as. */
  async bind(request: BindRequest) {
    const answer = await this.succeed(
      "C22",
      {
        deviceSN: request.deviceSN,
        ...(request.deviceType === undefined ? {} : { deviceType: request.deviceType }),
        ...(request.bindKey === undefined ? {} : { bindKey: request.bindKey }),
      },
      request.deviceSN,
    );
    const { store } = this.deps;
    const known = store.get(answer.deviceSN);
    if (known !== undefined && known.via !== "third-party")
      throw new PlatformError(
        "BAD_REQUEST",
        `deviceSN: ${JSON.stringify(answer.deviceSN)} is a device of the platform's own Mc servers`,
      );
    if (known === undefined || known.parentId !== undefined)
      store.register(answer.deviceSN, answer.deviceType, undefined, "third-party");
    store.setUnbound(answer.deviceSN, false);
    return { deviceSN: answer.deviceSN, deviceType: answer.deviceType, via: "third-party" as const };
  }

  /** C23: the device, and the sub-devices the platform holds under it, are unbound. */
  async unbind(deviceSN: string) {
    const record = this.record(deviceSN);
    await this.succeed("C23", { deviceSN, ...deviceType(record) }, deviceSN);
    for (const sub of this.deps.store.subDevicesOf(deviceSN)) this.deps.presence.markUnbound(sub.deviceId);
    this.deps.presence.markUnbound(deviceSN);
    return { result: 0 };
  }

  /** C24: a sub-device joins a gateway behind the third party. */
  async bindSubDevice(gwId: string, request: { deviceSN: string; deviceType?: string }) {
    this.record(gwId);
    await this.succeed(
      "C24",
      {
        gwId,
        deviceSN: request.deviceSN,
        ...(request.deviceType === undefined ? {} : { deviceType: request.deviceType }),
      },
      request.deviceSN,
    );
    const { store } = this.deps;
    const known = store.get(request.deviceSN);
    if (known !== undefined && known.via !== "third-party")
      throw new PlatformError(
        "BAD_REQUEST",
        `deviceSN: ${JSON.stringify(request.deviceSN)} is a device of the platform's own Mc servers`,
      );
    if (known?.parentId !== gwId) store.register(request.deviceSN, request.deviceType, gwId, "third-party");
    store.setUnbound(request.deviceSN, false);
    return { result: 0, deviceSN: request.deviceSN, gwId, via: "third-party" as const };
  }

  /** C25: the sub-device leaves its gateway. */
  async unbindSubDevice(gwId: string, deviceSN: string) {
    const sub = this.record(deviceSN);
    if (sub.parentId !== gwId)
      throw new PlatformError("UNKNOWN_DEVICE", `${deviceSN} is not a sub-device of ${gwId}`);
    await this.succeed("C25", { gwId, deviceSN, ...deviceType(sub) }, deviceSN);
    this.deps.presence.markUnbound(deviceSN);
    return { result: 0 };
  }

  /** C26: the third party's word on whether the device is online, taken into the store. */
  async online(deviceSN: string) {
    const record = this.record(deviceSN);
    const answer = await this.succeed("C26", { deviceSN, ...deviceType(record) }, deviceSN);
    const online = answer.online === 1;
    if (!record.unbound) this.deps.presence.setOnline(deviceSN, online);
    return { deviceSN, online };
  }

  /** C27: the device's complete status (and resources), taken into the store and fanned out. */
  async query(deviceSN: string) {
    const record = this.record(deviceSN);
    const answer = await this.succeed("C27", { deviceSN, ...deviceType(record) }, deviceSN);
    this.takeStatus(deviceSN, answer.status, answer.resource);
    return { result: 0, state: this.deps.store.get(deviceSN)?.status ?? null };
  }

  /** C28: the app's control, in C's terms (`cmds` of `name`/`value`); the answer's `result` is the new status. */
  async control(deviceSN: string, command: ControlCommand) {
    const record = this.record(deviceSN);
    const cmds = command.cmd.map(({ cmdName, cmdParam }) => ({ name: cmdName, value: cmdParam }));
    const answer = await this.succeed(
      "C28",
      { deviceSN, ...deviceType(record), serialId: command.serialId, cmds },
      deviceSN,
    );
    if (answer.result !== undefined && answer.result.length > 0) this.takeStatus(deviceSN, answer.result);
    return { result: 0, state: answer.result === undefined ? null : this.deps.store.get(deviceSN)?.status };
  }

  /** C31: resources added, changed or deleted, as the Mc 2031 body gives them (`MODE` 1/2/3 -> `mode`). */
  async manageResources(deviceSN: string, serials: ResourceSerials) {
    const record = this.record(deviceSN);
    const resource = serials.flatMap(({ serialId, resourceSerial }) =>
      resourceSerial.map(({ resourceName, resourceInfo }) => ({
        serialId,
        resName: resourceName,
        // The client checks `mode` against 7.3.2.9 (1, 2 or 3) before anything is sent.
        resInfo: resourceInfo.map(({ MODE, ...keys }) => ({
          ...(keys as Record<string, string>),
          mode: String(MODE ?? "1") as "1" | "2" | "3",
        })),
      })),
    );
    await this.succeed("C31", { deviceSN, ...deviceType(record), resource }, deviceSN);
    this.deps.store.applyResourceChange(deviceSN, resourceChanges(resource));
    this.deps.fanout.publish(deviceSN, "resources", this.deps.store.get(deviceSN)?.resources);
    return { result: 0 };
  }

  /** C29 (the list), or C30 with `detail` (statuses and resources too, taken into the store). */
  async subDevices(gwId: string, detail: boolean) {
    this.record(gwId);
    if (!detail) {
      const answer = await this.succeed("C29", { gwId }, gwId);
      for (const d of answer.devices) this.adopt(gwId, d.deviceSN, d.deviceType, d.online === 1);
      return { gwId, deviceType: answer.deviceType, online: answer.online === 1, devices: answer.devices };
    }
    const answer = await this.succeed("C30", { gwId }, gwId);
    this.takeStatus(gwId, answer.status, answer.resource);
    for (const d of answer.devices) {
      this.adopt(gwId, d.deviceSN, d.deviceType, undefined);
      this.takeStatus(d.deviceSN, d.status, d.resource);
    }
    return { gwId, deviceType: answer.deviceType, devices: answer.devices };
  }

  /** A sub-device the third party lists under a gateway the app bound. */
  private adopt(gwId: string, deviceSN: string, type: string, online: boolean | undefined): void {
    const { store, presence } = this.deps;
    const known = store.get(deviceSN);
    if (known !== undefined && known.via !== "third-party") return;
    if (known?.parentId !== gwId) store.register(deviceSN, type, gwId, "third-party");
    else if (known.model === undefined) known.model = type;
    if (online !== undefined && store.get(deviceSN)?.unbound !== true) presence.setOnline(deviceSN, online);
  }

  private takeStatus(
    deviceSN: string,
    status: CSuccess<"C27">["status"] | CSuccess<"C27">["status"][number],
    resource?: CSuccess<"C27">["resource"],
  ): void {
    const { store, fanout } = this.deps;
    store.applyStatus(deviceSN, statusSerials(Array.isArray(status) ? status : [status]));
    if (resource !== undefined && resource.length > 0) {
      store.applyResourceChange(deviceSN, resourceSerials(resource));
      fanout.publish(deviceSN, "resources", store.get(deviceSN)?.resources);
    }
    fanout.publish(deviceSN, "state", store.get(deviceSN)?.status);
  }

  /** A device bound through the third party, else 404. */
  private record(deviceSN: string): DeviceRecord {
    const record = this.deps.store.get(deviceSN);
    if (record === undefined || record.via !== "third-party")
      throw new PlatformError(
        "UNKNOWN_DEVICE",
        `no device ${JSON.stringify(deviceSN)} bound through the third-party platform`,
      );
    return record;
  }

  /** Makes the call; a failure code or no valid answer becomes the `PlatformError` the API answers with. */
  private async succeed<Id extends ThirdPartyCallId>(
    id: Id,
    request: ThirdPartyRequest<Id>,
    subject: string,
  ): Promise<CSuccess<Id>> {
    let answer: CResponse<Id>;
    try {
      answer = await this.deps.client.call(id, request);
    } catch (error) {
      throw asPlatformError(error, this.deps.url);
    }
    if (isCSuccess(answer)) return answer;
    const { code } = answer;
    const desc = typeof answer.desc === "string" ? answer.desc : undefined;
    const details = { interface: id, code, ...(desc === undefined ? {} : { desc }) };
    const what = `${id} ${cInterfaces[id].path} for ${JSON.stringify(subject)}: the third-party platform answered ${code} (${cResultName(code)})${desc === undefined ? "" : `: ${desc}`}`;
    // 7.3.2.12: 1003, no such device, is the app's 404.
    if (code === cResultCodes.deviceUnknown) throw new PlatformError("UNKNOWN_DEVICE", what, details);
    throw new PlatformError("THIRD_PARTY_REFUSED", what, details);
  }
}

const deviceType = (record: DeviceRecord) => (record.model === undefined ? {} : { deviceType: record.model });

function asPlatformError(error: unknown, url: string): unknown {
  if (error instanceof UsageError) return new PlatformError("BAD_REQUEST", error.message);
  if (!(error instanceof ThirdPartyError)) return error;
  const details = {
    interface: error.interfaceId,
    reason: error.code,
    ...(error.resultCode === undefined ? {} : { code: error.resultCode }),
  };
  const message = `the third-party platform at ${url}: ${error.message}`;
  if (error.code === "C_TIMEOUT") return new PlatformError("THIRD_PARTY_TIMEOUT", message, details);
  if (error.code === "C_TOKEN_REFUSED" || error.code === "C_TOKEN_INVALID")
    return new PlatformError("THIRD_PARTY_REFUSED", message, details);
  return new PlatformError("THIRD_PARTY_UNREACHABLE", message, details);
}
