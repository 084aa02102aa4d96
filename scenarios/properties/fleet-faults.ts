import type fc from "fast-check";
import type { LinkFaults } from "../../harness/link/faults.ts";
import {
  checkStep,
  connectorOf,
  type DeviceName,
  type Model,
  type Real,
  updateReachability,
} from "./fleet-model.ts";

/**
 * The property suite's faults and time: link faults, cuts, heals, reboots, network losses and clock advances, each
 * recorded in the model's link facts (what the device can reach, since when, and when it was last disturbed).
 */
type Command = fc.AsyncCommand<Model, Real>;

export class LinkFault implements Command {
  constructor(
    readonly target: DeviceName,
    readonly faults: Partial<LinkFaults>,
  ) {}
  check = (m: Readonly<Model>) => m.links[this.target].cut === undefined;
  async run(model: Model, real: Real) {
    connectorOf(real, this.target).set(this.faults);
    const link = model.links[this.target];
    link.faulty = Object.values(this.faults).some((v) => v !== 0);
    link.disturbedAt = model.now;
    checkStep(model, real);
  }
  toString = () => `linkFault(${this.target}, ${JSON.stringify(this.faults)})`;
}

export class Cut implements Command {
  constructor(
    readonly target: DeviceName,
    readonly mode: "half-open" | "reset",
  ) {}
  check = (m: Readonly<Model>) => m.links[this.target].cut === undefined;
  async run(model: Model, real: Real) {
    connectorOf(real, this.target).cut(this.mode);
    const link = model.links[this.target];
    link.cut = this.mode;
    link.disturbedAt = model.now;
    updateReachability(link, model.now);
    checkStep(model, real);
  }
  toString = () => `cut(${this.target}, ${this.mode})`;
}

/** The link is whole again (its faults cleared): only when it is cut or faulty. */
export class Heal implements Command {
  constructor(readonly target: DeviceName) {}
  check = (m: Readonly<Model>) => m.links[this.target].cut !== undefined || m.links[this.target].faulty;
  async run(model: Model, real: Real) {
    connectorOf(real, this.target).heal();
    healLink(model, this.target);
    checkStep(model, real);
  }
  toString = () => `heal(${this.target})`;
}

export function healLink(model: Model, target: DeviceName): void {
  const link = model.links[target];
  if (link.cut !== undefined || link.faulty) link.disturbedAt = model.now;
  link.cut = undefined;
  link.faulty = false;
  updateReachability(link, model.now);
}

export class Reboot implements Command {
  constructor(readonly target: DeviceName) {}
  check = () => true;
  async run(model: Model, real: Real) {
    real.devices[this.target].reboot();
    model.links[this.target].disturbedAt = model.now;
    await real.world.clock.advanceAsync(1);
    checkStep(model, real);
  }
  toString = () => `reboot(${this.target})`;
}

export class LoseNetwork implements Command {
  constructor(
    readonly target: DeviceName,
    readonly ms: number,
  ) {}
  check = () => true;
  async run(model: Model, real: Real) {
    real.devices[this.target].loseNetwork(this.ms);
    const link = model.links[this.target];
    link.networkUpAt = Math.max(link.networkUpAt, model.now + this.ms);
    link.disturbedAt = Math.max(link.disturbedAt, link.networkUpAt);
    updateReachability(link, model.now);
    checkStep(model, real);
  }
  toString = () => `loseNetwork(${this.target}, ${this.ms})`;
}

export class Advance implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(model: Model, real: Real) {
    await real.world.clock.advanceAsync(this.ms);
    checkStep(model, real);
  }
  toString = () => `advance(${this.ms})`;
}
