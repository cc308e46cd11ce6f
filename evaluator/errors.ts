/**
 * Mistakes in what the evaluator was given, each tied to the field that holds it, so a person can fix the
 * input instead of reading a stack trace or, worse, trusting a "deny" that came from a typo. They are
 * `Problem`s like every other (core/problems.ts).
 */
import { type Problem, ProblemError } from "../core/problems";

/** A mistake in the evaluator's input: `path` such as `probes[3].to.pod`. */
export type InputIssue = Problem;

/** What the fix is when a check states only what is wrong. */
export const INPUT_FIX = "correct it to the input format that netseg probe documents";

export class InputError extends ProblemError {
  constructor(issues: readonly InputIssue[]) {
    super("Invalid evaluator input", issues);
    this.name = "InputError";
  }

  /** The same problems, under the name the evaluator's callers have always read. */
  get issues(): readonly InputIssue[] {
    return this.problems;
  }
}

/** Throws when there is anything to report, so callers can collect first and fail once. */
export function throwIfAny(issues: readonly InputIssue[]): void {
  if (issues.length > 0) throw new InputError(issues);
}

/**
 * An issue from what a check says: `is not a protocol; use TCP, UDP, SCTP` is the problem, then the fix.
 * A message without a fix gets the input format as its fix.
 */
export function inputIssue(
  path: string,
  value: unknown,
  message: string,
  rule = "evaluator-input",
): InputIssue {
  const split = message.indexOf("; ");
  return split < 0
    ? { path, value, rule, problem: message, fix: INPUT_FIX }
    : { path, value, rule, problem: message.slice(0, split), fix: message.slice(split + 2) };
}
