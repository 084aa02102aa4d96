import type { Logger } from "pino";
import type { Clock } from "../../../harness/clock/clock.ts";
import { UsageError } from "../../../harness/errors.ts";
import { hostPort } from "../../../harness/net/address.ts";
import type { FlagOrder } from "../../../harness/protocol/md/discovery.ts";
import type { PostMessage } from "../../../harness/protocol/md/messages.ts";
import type { Random } from "../../../harness/random/random.ts";
import type { EmulatedDevice } from "../emulated-device.ts";
import type { Misbehaviour } from "../misbehaviour.ts";
import { answerSearch } from "./discovery-answer.ts";
import { type LanAs, LanAttributeMap } from "./lan-attributes.ts";
import { type LanClient, type LanControlServer, startLanControlServer } from "./lan-control-server.ts";
import { type LanCounters, newLanCounters } from "./lan-counters.ts";
import { LanDeviceWatch } from "./lan-device-watch.ts";
import { startLanDiscoveryServer } from "./lan-discovery-server.ts";
import { lanControlOf, lanIdentity, onConfigAt } from "./lan-identity.ts";
import { LAN_AUTH_DEADLINE_MS, type LanDeviceView, type LanSnapshot } from "./lan-session.ts";
import { applyChanges, copyStatuses, lanStateOf, statusSerials } from "./lan-state.ts";

/** 6.1: the device listens for searches on UDP 7680 and for control clients on TCP 7681. */
export const LAN_DISCOVERY_PORT = 7680;
export const LAN_CONTROL_PORT = 7681;
/** A device serves a few phones at once, not a crowd. */
export const LAN_MAX_CLIENTS = 8;
/** The longest LAN frame taken, CRLF excluded: an `opt` of every attribute fits many times over. */
export const LAN_MAX_FRAME_LENGTH = 8 * 1024;

export interface LanSideOptions {
  clock: Clock;
  /** The run's randomness: the device's mac and bindKey come from its fork `lan/<deviceId>`. */
  random: Random;
  /** The device's PIN (a secret): what its lanKeys are checked against (6.2.2). */
  pin: string;
  /** The address both ports listen on. */
  host: string;
  /** `LAN_DISCOVERY_PORT` on an address of the device's own, or 0 for a free port. */
  discoveryPort: number;
  /** `LAN_CONTROL_PORT` on an address of the device's own, or 0 for a free port. */
  controlPort: number;
  flagOrder?: FlagOrder;
  /** The fault switches, read as they act; default the device's own (set at run time on `device.misbehaviour`). */
  misbehaviour?: Misbehaviour;
  /** Already added by a user: never in the onConfig window (default false: it opens at every power-on). */
  configured?: boolean;
  logger?: Logger;
  maxClients?: number;
  maxFrameLength?: number;
  authDeadlineMs?: number;
}

export interface LanAddresses {
  /** UDP `host:port` of 6.2.1 discovery. */
  discovery: string;
  /** TCP `host:port` of the control port (6.2.2-6.2.5). */
  control: string;
}

export interface DeviceLanSide extends LanAddresses {
  readonly counters: Readonly<LanCounters>;
  /** Control connections turned away because `maxClients` were open. */
  readonly overflow: number;
  /** Added by a user (see `configured`): onConfig is 0 from then on. */
  readonly configured: boolean;
  close(): Promise<void>;
}

/**
 * A device's LAN side (chapter 6): discovery on UDP and the control port on TCP, both serving the one state of the
 * device's model. Every change of that state, whatever made it (a platform control, the device itself, an `opt` from
 * any LAN client), reaches every authenticated client as a `post` (6.2.5); an `opt` is reported to the platform over
 * Mc as a 2006. A device that is off answers nothing and takes no client.
 */
export async function startLanSide(device: EmulatedDevice, options: LanSideOptions): Promise<DeviceLanSide> {
  const state = lanStateOf(device.model);
  if (state === undefined)
    throw new UsageError("model", `${device.deviceId}: its model has no statuses a LAN side can serve`);
  const map = LanAttributeMap.of(state.profile);
  const { clock, logger } = options;
  const misbehaviour = options.misbehaviour ?? device.misbehaviour;
  const identity = lanIdentity(options.random, device.deviceId);
  const counters = newLanCounters();
  let configured = options.configured ?? false;
  /** The statuses every client was last told of. */
  let posted = copyStatuses(state);
  let control: LanControlServer | undefined;
  const isOn = () => device.state !== "off";

  const snapshot = (): LanSnapshot => {
    const faults = watch.activeFaults();
    return {
      ...map.toAs(state.status, state.constraints),
      ...(faults.length === 0 ? {} : { fids: map.fids(faults) }),
      ...(watch.ota === undefined ? {} : { ota: watch.ota }),
    };
  };

  /** A spontaneous post (6.2.5: no `mid`): what changed since the last one, with the faults and the upgrade. */
  const spontaneous = (as: LanAs): PostMessage => {
    const { fids, ota } = snapshot();
    return {
      cmd: "post",
      from: device.deviceId,
      as,
      ...(fids === undefined ? {} : { fids }),
      ...(ota === undefined ? {} : { ota }),
    };
  };

  /** Posts what changed since the last post to every client but `except`; `always` posts even an empty `as`. */
  const postChanges = (always: boolean, except?: LanClient) => {
    const as = map.changedAs(posted, state.status, state.constraints);
    posted = copyStatuses(state);
    if (misbehaviour.lanNoPosts || (!always && Object.keys(as).length === 0)) return;
    control?.post(spontaneous(as), except);
  };

  const view: LanDeviceView = {
    deviceId: device.deviceId,
    pin: options.pin,
    control: map.control,
    misbehaviour,
    snapshot,
    check: (as) => map.fromOpt(as, state.constraints),
  };

  const watch = new LanDeviceWatch(device, state, clock, {
    poweredOff: () => control?.closeClients(),
    reported: () => postChanges(false),
    extrasChanged: () => postChanges(true),
  });

  const reportToPlatform = (serials: string[]) => {
    // Offline, the change stays in the model: the full report after the next connect carries it (5.4.2.2).
    if (device.state !== "online") return;
    device
      .request(2006, { deviceId: device.deviceId, statusSerials: statusSerials(state, serials) })
      .catch((error: unknown) => {
        logger?.debug({ deviceId: device.deviceId, err: error }, "LAN change not reported to the platform");
      });
  };

  const discovery = await startLanDiscoveryServer({
    address: hostPort(options.host, options.discoveryPort),
    counters,
    decide: (datagram) => {
      if (!isOn()) return undefined;
      // 6.2.1: an unconfigured device may be added within 120 s of power-on; bindKey only then.
      const onConfig = onConfigAt(watch.powerOnAt ?? clock.now(), clock.now(), configured);
      return answerSearch(
        datagram,
        {
          deviceId: device.deviceId,
          model: state.profile.model,
          mac: identity.mac,
          lanControl: lanControlOf(map.control, watch.authorised),
          onConfig,
          bindKey: identity.bindKey,
        },
        {
          ...(options.flagOrder === undefined ? {} : { flagOrder: options.flagOrder }),
          wrongLength: misbehaviour.lanWrongLength,
        },
      );
    },
  });

  try {
    control = await startLanControlServer({
      address: hostPort(options.host, options.controlPort),
      clock,
      view,
      counters,
      maxClients: options.maxClients ?? LAN_MAX_CLIENTS,
      maxFrameLength: options.maxFrameLength ?? LAN_MAX_FRAME_LENGTH,
      authDeadlineMs: options.authDeadlineMs ?? LAN_AUTH_DEADLINE_MS,
      isOn,
      logger,
      apply: (changes, from) => {
        const serials = applyChanges(state, changes);
        // The others hear of it as of any change; the sender gets the answer with its `mid`.
        postChanges(false, from);
        reportToPlatform(serials);
        const { as } = map.toAs(state.status, state.constraints);
        return Object.fromEntries(
          changes.map((c) => String(c.attribute)).flatMap((key) => (key in as ? [[key, as[key]]] : [])),
        ) as LanAs;
      },
      onAuthenticated: () => {
        // A user's app holds this device's lanKey: it has been added, and leaves the onConfig window.
        configured = true;
      },
    });
  } catch (error) {
    watch.detach();
    await discovery.close();
    throw error;
  }

  const server = control;
  return {
    discovery: discovery.address,
    control: server.address,
    counters,
    get overflow() {
      return server.overflow;
    },
    get configured() {
      return configured;
    },
    close: async () => {
      watch.detach();
      await Promise.all([discovery.close(), server.close()]);
    },
  };
}
