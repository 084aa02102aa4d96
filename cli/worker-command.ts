import { hostname } from "node:os";
import type { Command } from "commander";
import { startFarmWorker } from "../emulators/farm/farm-worker.ts";
import { showValue, UsageError } from "../harness/errors.ts";
import { withoutCredentials } from "../harness/link/mqtt-url.ts";
import { createLogger } from "../harness/log/logger.ts";
import type { CliIo } from "./io.ts";
import { DEVICES_PER_WORKER_RULE, devicesPerWorker } from "./load/worker-count.ts";
import { farmOption, logLevelOption } from "./option-groups.ts";
import { integerOption } from "./options.ts";
import { untilStopped } from "./until-stopped.ts";

interface WorkerOptions {
  broker: string;
  farm: string;
  id?: string;
  sourceAddresses: string;
  capacity: number;
  logLevel: string;
}

const ADDRESS = /^(\d{1,3}\.){3}\d{1,3}$|:/;

function parseSources(text: string): string[] | "auto" {
  if (text === "auto") return "auto";
  const addresses = text
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  for (const a of addresses)
    if (!ADDRESS.test(a))
      throw new UsageError("source-addresses", `--source-addresses: ${showValue(a)} is not an IP address`);
  return addresses;
}

/** `hilfarm worker`: one farm worker on a broker, running the shards coordinators give it, until Ctrl-C. */
export function addWorkerCommand(program: Command, io: CliIo, waitForStop: () => Promise<string>): void {
  const command = program
    .command("worker")
    .description(
      "Run a farm worker: it waits on the MQTT broker for a shard of a load run (hilfarm load --broker),\n" +
        "runs its devices, and streams metrics back once a second. Prints one JSON line when ready; runs until Ctrl-C.",
    )
    .requiredOption("--broker <url>", "the coordinator's MQTT broker, e.g. mqtt://127.0.0.1:1883");
  farmOption
    .add(command, "farm name: several farms may share a broker")
    .option("--id <name>", "worker id on the broker (default: <hostname>-<pid>)")
    .option(
      "--source-addresses <list>",
      "source addresses the devices spread over (comma-separated, for UDP and TCP), or auto: UDP sockets over 127.0.0.2-127.0.0.9 for a loopback platform, TCP from the system's choice",
      "auto",
    )
    .option(
      "--capacity <devices>",
      `devices this worker holds at most (one descriptor each; default ${DEVICES_PER_WORKER_RULE})`,
      integerOption("capacity", 1, 1_000_000),
      devicesPerWorker(),
    );
  logLevelOption
    .add(command)
    .addHelpText(
      "after",
      "\nExamples:\n  hilfarm worker --broker mqtt://127.0.0.1:1883\n  hilfarm worker --broker mqtt://broker.lab:1883 --id rack2-a --source-addresses 10.0.2.11,10.0.2.12\n",
    )
    .action(async (options: WorkerOptions) => {
      const sourceAddresses = parseSources(options.sourceAddresses);
      const workerId = options.id ?? `${hostname()}-${process.pid}`;
      if (!/^[\w.-]+$/.test(workerId))
        throw new UsageError(
          "id",
          `--id must be letters, digits, '.', '_' or '-', got ${showValue(workerId)}`,
        );
      const logger = createLogger({ name: `worker ${workerId}`, level: options.logLevel });
      const worker = await startFarmWorker({
        brokerUrl: options.broker,
        farm: options.farm,
        workerId,
        logger,
        sourceAddresses,
        capacity: options.capacity,
      }).catch((error: Error) => {
        throw new UsageError(
          "broker",
          `cannot reach the broker at ${withoutCredentials(options.broker)}: ${error.message}`,
        );
      });
      io.stdout.write(
        `${JSON.stringify({ event: "ready", worker: workerId, broker: withoutCredentials(options.broker) })}\n`,
      );
      const signal = await untilStopped(waitForStop);
      logger.info({ signal }, "stopping");
      await worker.stop();
    });
}
