/**
 * What every netseg subcommand is: a function that adds itself to the program. Commands report problems
 * by throwing; `cli/main.ts` turns that into a message and an exit code, so no command prints a stack
 * trace or calls `process.exit` itself.
 */
import type { Command } from "commander";
import { formatProblem, formatProblems, type Problem } from "../../core/problems";

/** Where a command reads and writes, so tests and the real process can differ. */
export interface CommandIo {
  stdout(text: string): void;
  /** Progress and warnings, kept apart from the result on standard output. */
  stderr(text: string): void;
  /** Reads a file, `-` meaning standard input. */
  readFile(path: string): string;
}

export type NetsegCommand = (program: Command, io: CommandIo) => void;

/**
 * A failure the user can act on, printed without a stack trace. Bad arguments and files are `Problem`s
 * (path, value, rule, fix) like every other; a command that ran and found what it exists to find
 * (connections opened, a failed check out of a git ref) says so in a plain message.
 */
export class CommandError extends Error {
  readonly problems: readonly Problem[];
  /** @default 2, the exit code for bad input or usage */
  readonly exitCode: number;

  /** A message, one problem, or problems under a heading that names what was checked. */
  constructor(what: string | Problem | { heading: string; problems: readonly Problem[] }, exitCode = 2) {
    const problems = typeof what === "string" ? [] : "problems" in what ? what.problems : [what];
    super(
      typeof what === "string"
        ? what
        : "problems" in what
          ? formatProblems(what.heading, what.problems)
          : formatProblem(what),
    );
    this.name = "CommandError";
    this.problems = problems;
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
