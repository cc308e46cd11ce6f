/**
 * Mistakes in what the evaluator was given, each tied to the field that holds it, so a person can fix the
 * input instead of reading a stack trace or, worse, trusting a "deny" that came from a typo. They surface
 * as `Problem`s like every other mistake the product reports (core/problems.ts).
 */
import { formatProblem, formatProblems, type Problem, ProblemError } from "../core/problems";

/**
 * A mistake as a check states it: `is not a protocol; use TCP, UDP, SCTP`. The fix may follow the problem
 * after "; " or be given apart; the rule defaults to the evaluator's input format.
 */
export interface InputIssue {
  /** Where in the input, e.g. `probes[3].to.pod`. */
  path: string;
  /** The offending value as written (undefined when it is missing). */
  value: unknown;
  /** What is wrong, phrased to follow the value: `is not a pod of namespace "shop"`. */
  problem: string;
  rule?: string;
  fix?: string;
}

/** The fix of a check that states only what is wrong. */
export const INPUT_FIX = "correct it to the input format that netseg probe documents";

/** The issue as a `Problem`: the fix split off the problem where the check wrote both. */
export function asProblem(issue: InputIssue): Problem {
  const { path, value, rule = "evaluator-input" } = issue;
  if (issue.fix !== undefined) return { path, value, rule, problem: issue.problem, fix: issue.fix };
  const split = issue.problem.indexOf("; ");
  return split < 0
    ? { path, value, rule, problem: issue.problem, fix: INPUT_FIX }
    : { path, value, rule, problem: issue.problem.slice(0, split), fix: issue.problem.slice(split + 2) };
}

export class InputError extends ProblemError {
  constructor(issues: readonly InputIssue[]) {
    super("Invalid evaluator input", issues.map(asProblem));
    this.name = "InputError";
  }

  /** The same problems, under the name the evaluator's callers read. */
  get issues(): readonly Problem[] {
    return this.problems;
  }
}

/** Throws when there is anything to report, so callers can collect first and fail once. */
export function throwIfAny(issues: readonly InputIssue[]): void {
  if (issues.length > 0) throw new InputError(issues);
}

/** One issue on one line, as every problem is written. */
export function formatInputIssue(issue: InputIssue): string {
  return formatProblem(asProblem(issue));
}

export function formatInputIssues(issues: readonly InputIssue[]): string {
  return formatProblems("Invalid evaluator input", issues.map(asProblem));
}
