export type { TpDeviceSpec, TpFleetSpec, TpGatewaySpec } from "./devices.ts";
export type { TpEvent } from "./machine.ts";
export { misbehaviourNames, NO_MISBEHAVIOUR, type ThirdPartyMisbehaviour } from "./misbehaviour.ts";
export {
  type SmartHomeTarget,
  startThirdPartyPlatform,
  type ThirdPartyDeviceView,
  type ThirdPartyOptions,
  type ThirdPartyPlatform,
} from "./third-party.ts";
