import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { showValue, UsageError } from "../harness/errors.ts";
import { openCapture } from "../harness/evidence/capture-file.ts";
import { framesFromCapture } from "../harness/replay/from-capture.ts";
import { encodeFromCli } from "./frame-encode.ts";
import { FrameInspector, parseFrameLength } from "./frame-inspector.ts";
import { type CliIo, readAll, readLines } from "./io.ts";
import { framingOption } from "./option-groups.ts";

/** `hilfarm frame decode|encode`: read and write CTS frames, as a lab engineer does with captured traffic. */
export function addFrameCommands(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  const frame = program
    .command("frame")
    .description("decode captured Mc frames, or encode a body into a frame");

  frame
    .command("decode")
    .description(
      "Decode CTS frames, one per line, from files or stdin; print envelope and body as one JSON line per frame.\n" +
        "Also reads hilfarm evidence files (hilfarm run --evidence, hilfarm certify): each frame with its time and\n" +
        "direction, decoded again from its raw line when --pin/--session-key allow, else as recorded (secrets masked).\n" +
        "Bad frames get a one-line error on stderr naming what is wrong; decoding goes on. Exit code 1 if any frame was bad.",
    )
    .argument(
      "[files...]",
      "capture files (one frame per line; blank lines and # comments skipped); - or none for stdin",
    )
    .option(
      "--pin <pin>",
      "device PIN (32 characters): decrypts 1002/1003 and learns the session key from each 1003",
    )
    .option("--session-key <key>", "session key (16 characters) for frames after login")
    .addOption(framingOption())
    .option("--max-frame-length <bytes>", "longest frame accepted", parseFrameLength, 65536)
    .option("--redact", "replace token, sessionKey, pin and other secrets in the output")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  hilfarm frame decode --pin A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6 examples/captures/login-session.frames\n" +
        "  cat capture.txt | hilfarm frame decode --session-key abcdef0123456789 -\n" +
        "  hilfarm frame decode reports/out/cert/evidence.jsonl\n",
    )
    .action(
      async (
        files: string[],
        options: {
          pin?: string;
          sessionKey?: string;
          framing: "cts-json" | "cts-base64";
          maxFrameLength: number;
          redact?: boolean;
        },
      ) => {
        const inspector = new FrameInspector(options);
        let lineNumber = 0;
        let bad = 0;
        for await (const line of readLines(files, io.stdin)) {
          lineNumber++;
          const outcome = inspector.inspect(line, lineNumber);
          if (outcome.ok === true) io.stdout.write(`${outcome.json}\n`);
          else if (outcome.ok === false) {
            bad++;
            io.stderr.write(`${outcome.message}\n`);
          }
        }
        if (bad > 0) setExitCode(1);
      },
    );

  frame
    .command("to-evidence")
    .description(
      "Turn a text capture of one device's session (CTS frame lines as another tool dumps them, each with an\n" +
        "optional leading timestamp: tcpdump's HH:MM:SS.ffffff, -tt epoch seconds or -tttt date and time) into a\n" +
        "hilfarm evidence file that hilfarm replay plays. Lines that are not frames get a one-line error on stderr\n" +
        "and are left out; exit code 1 if there were any.",
    )
    .argument("[files...]", "capture files; - or none for stdin")
    .requiredOption(
      "--pin <pin>",
      "the device's PIN (32 characters): decrypts the login and learns the session key",
    )
    .requiredOption("--out <file>", "the evidence file to write")
    .option("--session-key <key>", "session key (16 characters), for a capture that starts after the login")
    .option("--device-id <id>", "the device, for a capture without its 1002")
    .option("--date <yyyy-mm-dd>", "the day of HH:MM:SS timestamps (default 2026-01-01)", "2026-01-01")
    .addOption(framingOption())
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  hilfarm frame to-evidence --pin A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6 --out session.jsonl examples/captures/login-session.frames\n" +
        "  tcpdump -l -A -tt -i eth0 port 8700 | grep CTS | hilfarm frame to-evidence --pin ... --out lab.jsonl -\n",
    )
    .action(
      async (
        files: string[],
        options: {
          pin: string;
          out: string;
          sessionKey?: string;
          deviceId?: string;
          date: string;
          framing: "cts-json" | "cts-base64";
        },
      ) => {
        const day = Date.parse(`${options.date}T00:00:00Z`);
        if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date) || Number.isNaN(day))
          throw new UsageError("date", `--date ${showValue(options.date)}: expected yyyy-mm-dd`);
        const lines: string[] = [];
        for await (const line of readLines(files, io.stdin)) lines.push(line);
        const { frames, problems } = framesFromCapture(lines, {
          pin: options.pin,
          day,
          framing: options.framing,
          ...(options.sessionKey === undefined ? {} : { sessionKey: options.sessionKey }),
          ...(options.deviceId === undefined ? {} : { deviceId: options.deviceId }),
        });
        for (const problem of problems) io.stderr.write(`${problem}\n`);
        const capture = openCapture(options.out, { convertedFrom: files.length === 0 ? ["-"] : files });
        for (const f of frames) capture.write(f);
        await capture.close();
        io.stdout.write(
          `${JSON.stringify({ event: "written", evidence: options.out, frames: frames.length, problems: problems.length })}\n`,
        );
        if (problems.length > 0) setExitCode(1);
      },
    );

  frame
    .command("encode")
    .description("Encode a body (JSON) into one CTS frame with the key its code needs; print the frame line.")
    .argument("[body]", "the body JSON; or --body-file; or stdin")
    .requiredOption("--code <code>", "packet type (table 5.2.1), e.g. 1002")
    .option("--body-file <file>", "read the body JSON from a file")
    .option("--pin <pin>", "device PIN (32 characters), for 1002/1003")
    .option("--session-key <key>", "session key (16 characters), for everything after login")
    .option("--token <token>", "clear-text token of device-sent frames after login (1000, 1004, 2006, ...)")
    .option("--device-id <id>", "clear-text deviceId of a 1002 (default: the body's deviceId)")
    .addOption(framingOption())
    .option("--crlf", "end the frame with CRLF, as on the wire (default: a newline, as in a capture file)")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        `  hilfarm frame encode --code 1002 --pin A1B2C3D4E5F6G7H8I9J0K1L2M3N4O5P6 '{"sequence":"12345","deviceId":"0000111122223333aaaabbbb","version":"1.0.0.1","time":1361542433}'\n` +
        `  echo '{"sequence":"7","token":"qwertyuiop123456","time":1361542433}' | hilfarm frame encode --code 1000 --session-key abcdef0123456789 --token qwertyuiop123456\n`,
    )
    .action(
      async (
        bodyArg: string | undefined,
        options: {
          code: string;
          bodyFile?: string;
          pin?: string;
          sessionKey?: string;
          token?: string;
          deviceId?: string;
          framing: "cts-json" | "cts-base64";
          crlf?: boolean;
        },
      ) => {
        const body =
          bodyArg ??
          (options.bodyFile === undefined
            ? await readAll(io.stdin)
            : await readFile(options.bodyFile, "utf8"));
        const frame = encodeFromCli({ ...options, body });
        io.stdout.write(options.crlf ? frame : `${frame.subarray(0, -2).toString("utf8")}\n`);
      },
    );
}
