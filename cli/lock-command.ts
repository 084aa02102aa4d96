import type { Command } from "commander";
import type { CliIo } from "./io.ts";
import { apiTokenOption } from "./option-groups.ts";

interface TypeOptions {
  api: string;
  device: string;
  code: string;
  apiToken?: string;
}

/** The API's answer, or why there is none, as one line. */
async function postKeypad(options: TypeOptions): Promise<{ status: number; json: Record<string, unknown> }> {
  const url = `${options.api.replace(/\/+$/, "")}/api/fleet/devices/${encodeURIComponent(options.device)}/keypad`;
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.apiToken === undefined ? {} : { authorization: `Bearer ${options.apiToken}` }),
    },
    body: JSON.stringify({ code: options.code }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** `hilfarm lock type`: a code typed at an emulated lock's keypad, in a running `hilfarm up`. */
export function addLockCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const lock = program.command("lock").description("act on an emulated lock of a running `hilfarm up`");
  const type = lock
    .command("type")
    .description(
      "Type a code at a lock's keypad (a Wi-Fi lock, or a Zigbee lock behind its gateway). Prints what the lock did\n" +
        "as one JSON line; the lock reports it to the platform as it would (LOCK_OPEN, HIJACK, WRONG_CODE).\n" +
        "Exit code 0 when it opened, 1 when it did not or the API could not be reached.",
    )
    .requiredOption("--api <url>", "the HTTP API of `hilfarm up` (e.g. http://127.0.0.1:8780)")
    .requiredOption("--device <id>", "the lock's device id")
    .requiredOption("--code <digits>", "the code typed")
    .addHelpText(
      "after",
      "\nExample:\n  hilfarm lock type --api http://127.0.0.1:8780 --device 0a1b... --code 1234567\n",
    );
  apiTokenOption
    .add(type, "bearer token of the API (or HILFARM_API_TOKEN)")
    .action(async (options: TypeOptions) => {
      let answer: { status: number; json: Record<string, unknown> };
      try {
        answer = await postKeypad(options);
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        io.stderr.write(
          `hilfarm lock: cannot reach the API at ${options.api}${cause === undefined ? "" : `: ${cause}`}\n`,
        );
        setExitCode(1);
        return;
      }
      if (answer.status !== 200) {
        io.stderr.write(`hilfarm lock: ${String(answer.json.error)}: ${String(answer.json.detail)}\n`);
        setExitCode(1);
        return;
      }
      io.stdout.write(`${JSON.stringify({ event: "typed", deviceId: options.device, ...answer.json })}\n`);
      if (answer.json.kind !== "open") setExitCode(1);
    });
}
