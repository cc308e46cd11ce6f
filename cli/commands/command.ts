/**
 * What every netseg subcommand is: a function that adds itself to the program. Commands report problems
 * by throwing; `cli/main.ts` turns that into a message and an exit code, so no command prints a stack
 * trace or calls `process.exit` itself.
 */
import type { Command } from "commander";

/** Where a command reads and writes, so tests and the real process can differ. */
export interface CommandIo {
  stdout(text: string): void;
  /** Progress and warnings, kept apart from the result on standard output. */
  stderr(text: string): void;
  /** Reads a file, `-` meaning standard input. */
  readFile(path: string): string;
}

export type NetsegCommand = (program: Command, io: CommandIo) => void;

/** A failure the user can act on: printed as is, without a stack trace. */
export class CommandError extends Error {
  /** @default 2, the exit code for bad input or usage */
  readonly exitCode: number;

  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = "CommandError";
    this.exitCode = exitCode;
  }
}

/** Reads and parses a JSON input file, failing with the file's name and what is wrong. */
export function readJson(io: CommandIo, path: string): unknown {
  const name = path === "-" ? "standard input" : path;
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(error);
    throw new CommandError(`${name}: cannot read it: ${why}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CommandError(`${name}: not valid JSON: ${(error as Error).message}`);
  }
}
