/**
 * The `netseg` program: subcommands from `cli/commands`, and one place that turns failures into exit
 * codes. 0: done. 2: bad input or usage, with a message naming what to fix. 1: anything else, which is a
 * bug in netseg and so keeps its stack trace.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { InputError } from "../evaluator";
import * as commands from "./commands";
import { CommandError, type CommandIo } from "./commands/command";

export const EXIT_USAGE = 2;

export interface ProgramIo extends CommandIo {
  stderr(text: string): void;
}

const processIo: ProgramIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFileSync(path === "-" ? 0 : path, "utf8"),
};

function version(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

export function createProgram(io: ProgramIo): Command {
  const program = new Command("netseg")
    .description("Prove the network segmentation offline: render, evaluate and check NetworkPolicies.")
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  for (const register of Object.values(commands)) register(program, io);
  return program;
}

/** Runs netseg with the arguments after the executable and script; resolves to the exit code. */
export async function run(args: readonly string[], io: ProgramIo = processIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...args], { from: "user" });
    return 0;
  } catch (error) {
    // Commander has already printed its own usage message; help and --version end here with 0.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    if (error instanceof InputError) {
      io.stderr(`netseg: invalid input: ${error.message}\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CommandError) {
      io.stderr(`netseg: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`netseg: internal error, please report it:\n${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2));
}
