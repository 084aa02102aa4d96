import { readFile } from "node:fs/promises";
import type { Command } from "commander";
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
