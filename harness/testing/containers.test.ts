import mqtt from "mqtt";
import { describe, expect, it } from "vitest";
import { dockerAvailable, startBrokerContainer } from "./containers.ts";

/** The promise, or a rejection saying what did not finish within `ms`: a hang fails the test, it does not stall it. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe("testcontainers helpers", () => {
  // Never skipped: with Docker it checks the broker container end to end; without, that the helpers say so
  // plainly and at once.
  it("runs Mosquitto in a container for a publish/subscribe round trip, or says at once that Docker is absent", async () => {
    const detectionStarted = performance.now();
    const docker = await within(5000, "dockerAvailable()", dockerAvailable());
    const detectionMs = Math.round(performance.now() - detectionStarted);
    expect(detectionMs).toBeLessThan(5000);

    if (!docker.available) {
      console.info(`containers: Docker-absent path (detection ${detectionMs} ms): ${docker.reason}`);
      expect(docker.reason).toMatch(/\bDocker\b/);
      expect(docker.reason).toMatch(/\bskipping\b/);
      const startStarted = performance.now();
      const failure = await within(5000, "startBrokerContainer()", startBrokerContainer()).then(
        () => new Error("startBrokerContainer() resolved without Docker"),
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toBe(docker.reason);
      expect(performance.now() - startStarted).toBeLessThan(5000);
      return;
    }

    console.info(`containers: Docker path (detection ${detectionMs} ms): starting eclipse-mosquitto:2`);
    const broker = await startBrokerContainer();
    try {
      expect(broker.url).toMatch(/^mqtt:\/\/[^:]+:\d+$/);
      const client = await mqtt.connectAsync(broker.url, { connectTimeout: 5000, reconnectPeriod: 0 }, false);
      try {
        const topic = `hilfarm/containers-test/${process.pid}`;
        const received = new Promise<string>((resolve) => {
          client.on("message", (t, payload) => {
            if (t === topic) resolve(payload.toString());
          });
        });
        await client.subscribeAsync(topic, { qos: 1 });
        await client.publishAsync(topic, "round trip", { qos: 1 });
        expect(await within(10_000, "the message round trip", received)).toBe("round trip");
      } finally {
        await client.endAsync();
      }
    } finally {
      await broker.stop();
    }
    console.info(`containers: broker container at ${broker.url} round-tripped a message and stopped`);
  }, 180_000);
});
