import pino from "pino";
import { describe, expect, it } from "vitest";
import { VirtualClock } from "../../harness/clock/virtual-clock.ts";
import { wellBehaved } from "../device/misbehaviour.ts";
import type { DeviceContext, PlatformRequest } from "../device/model.ts";
import { shippedProfiles } from "../profiles/load.ts";
import { GatewayModel } from "./gateway-model.ts";

const profiles = await shippedProfiles();

/** A gateway with one authenticated switch, and a context that records what the gateway sends and answers success. */
function gatewayWithSwitch() {
  const gateway = new GatewayModel("gw-1", profiles.get("zigbee-gateway") ?? expect.fail("zigbee-gateway"));
  const sub = gateway.addSubDevice(
    "sw-1",
    "pin-1",
    profiles.get("zigbee-switch") ?? expect.fail("zigbee-switch"),
  );
  sub.authenticated = true;
  const sent: Array<[number, string | undefined]> = [];
  const ctx: DeviceContext = {
    clock: new VirtualClock(),
    logger: pino({ level: "silent" }),
    misbehaviour: wellBehaved(),
    request: async (code, body) => {
      sent.push([code, (body as { deviceId?: string }).deviceId]);
      return { result: 0 };
    },
  };
  const query = {
    code: 2003,
    body: { sequence: "1", deviceId: "sw-1", time: 0 },
  } as unknown as PlatformRequest;
  return { gateway, ctx, sent, query };
}

describe("GatewayModel: what a sub-device sends after answering the platform", () => {
  it("a query's state report (2006) goes out while the sub-device is bound", async () => {
    const { gateway, ctx, sent, query } = gatewayWithSwitch();
    const handled = gateway.handle(query, ctx);
    expect(handled.fields.result).toBe(0);
    await handled.after?.(ctx);
    expect(sent).toEqual([[2006, "sw-1"]]);
  });

  it("is dropped once the sub-device was unbound at the gateway in between: the platform would read it as bound again", async () => {
    const { gateway, ctx, sent, query } = gatewayWithSwitch();
    const handled = gateway.handle(query, ctx);
    expect(handled.after).toBeDefined();
    await gateway.unbindLocally(ctx, "sw-1");
    await expect(handled.after?.(ctx)).rejects.toThrow("sub-device sw-1 is no longer bound to its gateway");
    expect(sent).toEqual([[2018, "gw-1"]]);
  });
});
