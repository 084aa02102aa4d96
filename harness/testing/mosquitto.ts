import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { MQTT_CLIENT_OPTIONS } from "../mqtt/client-options.ts";
import { startBrokerContainer } from "./containers.ts";

export interface Mosquitto {
  url: string;
  /** Where it came from: the machine's service, or one started for these tests. */
  origin: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const client = await mqtt.connectAsync(
      url,
      { ...MQTT_CLIENT_OPTIONS, connectTimeout: 2000, reconnectPeriod: 0 },
      false,
    );
    await client.endAsync();
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

const BINARIES = ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"];

/**
 * A real Mosquitto for the distributed-farm tests: the one serving 127.0.0.1:1883 (as on CI machines); when none
 * answers there, the `mosquitto` binary started on a free port; without one, a container through testcontainers.
 * None of these: a clear error saying what to install, and that Docker is absent.
 */
export async function realMosquitto(): Promise<Mosquitto> {
  const standard = "mqtt://127.0.0.1:1883";
  if (await answers(standard))
    return { url: standard, origin: "the service on 127.0.0.1:1883", stop: async () => {} };
  const binary = BINARIES.find((b) => existsSync(b));
  if (binary === undefined) {
    // Last: a Mosquitto container, when a Docker engine runs here.
    const container = await startBrokerContainer().catch((error: Error) => {
      throw new Error(
        `the distributed-farm tests need Mosquitto: none answers on 127.0.0.1:1883, no mosquitto binary is installed (apt-get install mosquitto), and ${error.message}`,
      );
    });
    return {
      url: container.url,
      origin: "a Mosquitto container (testcontainers)",
      stop: () => container.stop(),
    };
  }
  const port = await freePort();
  const config = join(tmpdir(), `hilfarm-mosquitto-${port}.conf`);
  await writeFile(config, `listener ${port} 127.0.0.1\nallow_anonymous true\n`);
  const child = spawn(binary, ["-c", config], { stdio: "ignore" });
  const url = `mqtt://127.0.0.1:${port}`;
  for (let i = 0; i < 50 && !(await answers(url)); i++) await new Promise((r) => setTimeout(r, 100));
  return {
    url,
    origin: `${binary} started on port ${port}`,
    stop: async () => {
      child.kill("SIGTERM");
    },
  };
}
