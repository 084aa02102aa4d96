import { Command, CommanderError } from "commander";
import { HilfarmError } from "../harness/errors.ts";
import { addCertifyCommand } from "./certify-command.ts";
import { addConformanceCommand } from "./conformance-command.ts";
import { addFleetCommands } from "./fleet-commands.ts";
import { addFrameCommands } from "./frame-command.ts";
import { addHostileCommand } from "./hostile-command.ts";
import { type CliIo, processIo } from "./io.ts";
import { addLanCommand } from "./lan-command.ts";
import { addLoadCommand } from "./load-command.ts";
import { addLockCommand } from "./lock-command.ts";
import { addPlatformCommand } from "./platform-command.ts";
import { addPushReceiveCommand } from "./push-receive-command.ts";
import { addReplayCommand } from "./replay-command.ts";
import { addRunCommand } from "./run-command.ts";
import { addThirdPartyCommand } from "./third-party-command.ts";
import { version } from "./version.ts";
import { addWorkerCommand } from "./worker-command.ts";

/** Resolves with the name of the first SIGINT or SIGTERM the process receives. */
export const processStopSignal = (): Promise<string> =>
  new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(signal);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });

/**
 * A process `hilfarm load` starts (a local worker, the reference platform) stops cleanly when its parent is gone,
 * however the parent ended: it must not hold devices and ports for nobody.
 */
function stopWithParent(): void {
  const parent = Number(process.env.HILFARM_EXIT_WITH_PARENT);
  if (!Number.isInteger(parent) || parent <= 0) return;
  const check = setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      clearInterval(check);
      process.kill(process.pid, "SIGTERM");
    }
  }, 1000);
  check.unref();
}

/** Exit codes: 0 all good; 1 the job found failures (bad frames, failed clauses); 2 a usage error. */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  waitForStop: () => Promise<string> = processStopSignal,
): Promise<number> {
  let exitCode = 0;
  stopWithParent();
  const program = new Command("hilfarm")
    .description("hilfarm: hardware-in-the-loop test harness and device-emulator farm for smart-home devices")
    .version(version, "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError("(run with --help for usage)");
  addFrameCommands(program, io, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  addPlatformCommand(program, io, waitForStop);
  addLanCommand(
    program,
    io,
    (code) => {
      exitCode = Math.max(exitCode, code);
    },
    waitForStop,
  );
  addFleetCommands(program, io, waitForStop);
  addLockCommand(program, io, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  addThirdPartyCommand(program, io, waitForStop);
  addPushReceiveCommand(program, io, waitForStop);
  addConformanceCommand(program, io, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  addHostileCommand(program, io, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  addRunCommand(program, io, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  addReplayCommand(program, io, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  addCertifyCommand(
    program,
    io,
    (code) => {
      exitCode = Math.max(exitCode, code);
    },
    waitForStop,
  );
  addLoadCommand(
    program,
    io,
    (code) => {
      exitCode = Math.max(exitCode, code);
    },
    waitForStop,
  );
  addWorkerCommand(program, io, waitForStop);
  for (const command of program.commands) command.exitOverride().configureOutput(program.configureOutput());
  for (const command of program.commands.flatMap((c) => c.commands)) {
    command.exitOverride().configureOutput(program.configureOutput());
  }

  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === "commander.help" ? 0 : 2;
    }
    if (error instanceof HilfarmError) {
      io.stderr.write(`hilfarm: ${error.message}\n`);
      return 2;
    }
    if (error instanceof Error && "code" in error && (error.code === "ENOENT" || error.code === "EACCES")) {
      io.stderr.write(`hilfarm: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
