import { Command, CommanderError } from "commander";
import { HilfarmError } from "../harness/errors.ts";
import { type CliIo, processIo } from "./io.ts";
import { version } from "./version.ts";

/** What a command module is given to add its commands. */
interface CommandContext {
  program: Command;
  io: CliIo;
  /** Raises the process's exit code (the highest a command sets wins). */
  setExitCode: (code: number) => void;
  waitForStop: () => Promise<string>;
}

/** A module of hilfarm's commands, and the top-level commands it adds. */
export interface CommandModule {
  names: readonly string[];
  add(context: CommandContext): Promise<void>;
}

/**
 * The command modules, in the order help lists them. They are imported as a command needs them: a process runs one
 * command, and `hilfarm load` starts a platform and several workers for every run, each of which would otherwise
 * import the code of every command (about 580 modules, where a worker needs about 190).
 */
export const commandModules: readonly CommandModule[] = [
  {
    names: ["frame"],
    add: async (c) => (await import("./frame-command.ts")).addFrameCommands(c.program, c.io, c.setExitCode),
  },
  {
    names: ["platform"],
    add: async (c) =>
      (await import("./platform-command.ts")).addPlatformCommand(c.program, c.io, c.waitForStop),
  },
  {
    names: ["lan"],
    add: async (c) =>
      (await import("./lan-command.ts")).addLanCommand(c.program, c.io, c.setExitCode, c.waitForStop),
  },
  {
    names: ["up", "devices", "registry"],
    add: async (c) => (await import("./fleet-commands.ts")).addFleetCommands(c.program, c.io, c.waitForStop),
  },
  {
    names: ["lock"],
    add: async (c) => (await import("./lock-command.ts")).addLockCommand(c.program, c.io, c.setExitCode),
  },
  {
    names: ["third-party"],
    add: async (c) =>
      (await import("./third-party-command.ts")).addThirdPartyCommand(c.program, c.io, c.waitForStop),
  },
  {
    names: ["push"],
    add: async (c) =>
      (await import("./push-receive-command.ts")).addPushReceiveCommand(c.program, c.io, c.waitForStop),
  },
  {
    names: ["conformance"],
    add: async (c) =>
      (await import("./conformance-command.ts")).addConformanceCommand(c.program, c.io, c.setExitCode),
  },
  {
    names: ["hostile"],
    add: async (c) =>
      (await import("./hostile-command.ts")).addHostileCommand(c.program, c.io, c.setExitCode),
  },
  {
    names: ["run"],
    add: async (c) => (await import("./run-command.ts")).addRunCommand(c.program, c.io, c.setExitCode),
  },
  {
    names: ["replay"],
    add: async (c) => (await import("./replay-command.ts")).addReplayCommand(c.program, c.io, c.setExitCode),
  },
  {
    names: ["certify"],
    add: async (c) =>
      (await import("./certify-command.ts")).addCertifyCommand(c.program, c.io, c.setExitCode, c.waitForStop),
  },
  {
    names: ["load"],
    add: async (c) =>
      (await import("./load-command.ts")).addLoadCommand(c.program, c.io, c.setExitCode, c.waitForStop),
  },
  {
    names: ["worker"],
    add: async (c) => (await import("./worker-command.ts")).addWorkerCommand(c.program, c.io, c.waitForStop),
  },
];

/**
 * The modules `argv` needs: the one that adds the command it starts with, or all of them where it starts with none of
 * theirs (help, the version, a misspelt command, which commander answers with the names it knows). hilfarm's own
 * options (`--help`, `--version`) come before a command and need every module: `hilfarm --help worker` lists them all.
 */
export function commandModulesFor(argv: readonly string[]): readonly CommandModule[] {
  const command = argv[0];
  const named = commandModules.filter((m) => command !== undefined && m.names.includes(command));
  return named.length > 0 ? named : commandModules;
}

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
  const context: CommandContext = {
    program,
    io,
    setExitCode: (code) => {
      exitCode = Math.max(exitCode, code);
    },
    waitForStop,
  };
  for (const module of commandModulesFor(argv)) await module.add(context);
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
