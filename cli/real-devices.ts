import type { RealDevice } from "../emulators/fleet/fleet-file.ts";
import type { Clock } from "../harness/clock/clock.ts";
import { bridgeMqtt, bridgeSerial, type DeviceLinkBridge } from "../harness/link/device-links.ts";
import type { Logger } from "../harness/log/logger.ts";

/** Where a bridged link delivers a device's frames: the platform's login and first connection servers. */
interface BridgeAddresses {
  login: string;
  tcp: string;
  udp: string;
}

/** The real devices of a mixed fleet, attached: each with how it reaches the platform. */
export interface RealDevices {
  /** One line per real device for the ready line: id and how it attaches. */
  described(): Array<{ deviceId: string; real: true; attach: string }>;
  /** Each real device's state now, for summaries and reports (real devices come first in both). */
  results(online: (deviceId: string) => boolean): Array<{
    deviceId: string;
    real: true;
    model?: string;
    attach: string;
    online: boolean;
  }>;
  close(): Promise<void>;
}

/**
 * Brings up the links of a mixed fleet's real devices into the platform at `addresses`: a UART per `serial://`
 * device, one MQTT link per broker for the `mqtt://` (or `embedded`) ones; `network` devices log in by themselves.
 */
export async function attachRealDevices(
  real: readonly RealDevice[],
  addresses: BridgeAddresses,
  options: { clock: Clock; logger: Logger; host: string },
): Promise<RealDevices> {
  const links: DeviceLinkBridge[] = [];
  const attach = new Map<string, string>();
  try {
    for (const device of real) {
      if (!device.attach.startsWith("serial://")) continue;
      const link = await bridgeSerial(device.attach, addresses, options);
      links.push(link);
      attach.set(device.deviceId, link.description);
    }
    const brokers = new Map<string, Set<string>>();
    for (const device of real)
      if (device.attach.startsWith("mqtt://") || device.attach === "embedded")
        brokers.set(device.attach, (brokers.get(device.attach) ?? new Set()).add(device.deviceId));
    for (const [url, ids] of brokers) {
      const link = await bridgeMqtt(url, addresses, {
        logger: options.logger,
        host: options.host,
        only: (deviceId) => ids.has(deviceId),
        option: "real.attach",
      });
      links.push(link);
      for (const id of ids) attach.set(id, link.description);
    }
  } catch (error) {
    for (const link of links) await link.close();
    throw error;
  }
  const how = (device: RealDevice) => attach.get(device.deviceId) ?? `network: logs in to ${addresses.login}`;
  return {
    described: () => real.map((d) => ({ deviceId: d.deviceId, real: true, attach: how(d) })),
    results: (online) =>
      real.map((d) => ({
        deviceId: d.deviceId,
        real: true,
        ...(d.model === undefined ? {} : { model: d.model }),
        attach: how(d),
        online: online(d.deviceId),
      })),
    close: async () => {
      for (const link of links) await link.close();
    },
  };
}
