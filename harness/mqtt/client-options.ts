import type { IClientOptions } from "mqtt";

/**
 * What every MQTT client hilfarm opens starts from. `writeCache: false`: otherwise mqtt-packet builds, at a process's
 * first packet, a Buffer for each of the 65,536 numbers a packet may carry (about 7 MB of heap, 12 MB of resident
 * memory and 70 ms of CPU in each process: every `hilfarm load` worker), to spare one 2-byte allocation per number
 * written; hilfarm's clients send a few packets a second.
 */
export const MQTT_CLIENT_OPTIONS = { writeCache: false } as const satisfies IClientOptions;
