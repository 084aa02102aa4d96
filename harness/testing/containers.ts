import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * testcontainers helpers for suites that want a broker in a container. Nothing in hilfarm needs Docker: where no
 * engine answers, `dockerAvailable()` says so with a plain reason and `startBrokerContainer()` rejects with it at
 * once, and suites fall back to Mosquitto on 127.0.0.1:1883 (`realMosquitto()`) or the embedded broker.
 * testcontainers is a devDependency and is loaded only when a helper is called.
 */

export type DockerAvailability = { available: true } | { available: false; reason: string };

export interface BrokerContainer {
  /** `mqtt://<docker host>:<mapped port>`, reachable from this process. */
  url: string;
  stop(): Promise<void>;
}

export const MOSQUITTO_IMAGE = "eclipse-mosquitto:2";
/** The same configuration as the compose stack's broker: one listener on 1883, anonymous clients. */
export const MOSQUITTO_CONFIG = fileURLToPath(new URL("../../docker/mosquitto.conf", import.meta.url));

/** How long detection may take: an engine that does not answer within this is as good as absent. */
const DETECTION_TIMEOUT_MS = 3000;
const STARTUP_TIMEOUT_MS = 120_000;

let detection: Promise<DockerAvailability> | undefined;

/** Where testcontainers looked, to make "not available" say why. */
function whereItLooked(): string {
  const host = process.env.DOCKER_HOST;
  if (host !== undefined && host !== "") return `DOCKER_HOST=${host}`;
  return existsSync("/var/run/docker.sock")
    ? "/var/run/docker.sock exists but no engine answered on it"
    : "no /var/run/docker.sock and DOCKER_HOST is not set";
}

function absent(cause: string): DockerAvailability {
  return {
    available: false,
    reason:
      `Docker is not available (${cause}): skipping the container-backed broker; ` +
      "suites use Mosquitto on 127.0.0.1:1883 or the embedded broker",
  };
}

async function detect(): Promise<DockerAvailability> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<DockerAvailability>((resolve) => {
    timer = setTimeout(
      () =>
        resolve(
          absent(`no container runtime answered within ${DETECTION_TIMEOUT_MS} ms; ${whereItLooked()}`),
        ),
      DETECTION_TIMEOUT_MS,
    );
    timer.unref();
  });
  const probe = (async (): Promise<DockerAvailability> => {
    try {
      const { getContainerRuntimeClient } = await import("testcontainers");
      await getContainerRuntimeClient();
      return { available: true };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return absent(`${message}; ${whereItLooked()}`);
    }
  })();
  try {
    return await Promise.race([probe, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether a container runtime answers, using testcontainers' own detection (DOCKER_HOST,
 * ~/.testcontainers.properties, the Docker socket, rootless sockets), bounded to a few seconds. Decided once per
 * process.
 */
export function dockerAvailable(): Promise<DockerAvailability> {
  detection ??= detect();
  return detection;
}

/**
 * Mosquitto 2 in a container (docker/mosquitto.conf: anonymous on 1883), port 1883 mapped to a free host port;
 * resolves once the broker logs that it is running. Without Docker it rejects at once with the reason from
 * `dockerAvailable()`.
 */
export async function startBrokerContainer(): Promise<BrokerContainer> {
  const docker = await dockerAvailable();
  if (!docker.available) throw new Error(docker.reason);
  const { GenericContainer, Wait } = await import("testcontainers");
  const container = await new GenericContainer(MOSQUITTO_IMAGE)
    .withExposedPorts(1883)
    .withCopyFilesToContainer([{ source: MOSQUITTO_CONFIG, target: "/mosquitto/config/mosquitto.conf" }])
    // Mosquitto logs this after its listeners are open.
    .withWaitStrategy(Wait.forLogMessage(/mosquitto version \S+ running/))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .start();
  return {
    url: `mqtt://${container.getHost()}:${container.getMappedPort(1883)}`,
    stop: async () => {
      await container.stop();
    },
  };
}
