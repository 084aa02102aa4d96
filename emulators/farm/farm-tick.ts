/** The turn of a farm's timer wheel: the devices' timers due within one turn fire together. */
export const FARM_TICK_MS = 20;
