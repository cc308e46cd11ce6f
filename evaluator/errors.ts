/**
 * Mistakes in what the evaluator was given, each tied to the field that holds it, so a person can fix the
 * input instead of reading a stack trace or, worse, trusting a "deny" that came from a typo.
 */

export interface InputIssue {
  /** Where in the input, e.g. `probes[3].to.pod`. */
  path: string;
  /** The offending value as written (undefined when it is missing). */
  value: unknown;
  /** What is wrong, phrased to follow the value: `is not a pod of namespace "shop"`. */
  problem: string;
}

export class InputError extends Error {
  readonly issues: readonly InputIssue[];

  constructor(issues: readonly InputIssue[]) {
    super(formatInputIssues(issues));
    this.name = "InputError";
    this.issues = issues;
  }
}

/** Throws when there is anything to report, so callers can collect first and fail once. */
export function throwIfAny(issues: readonly InputIssue[]): void {
  if (issues.length > 0) throw new InputError(issues);
}

export function formatInputIssue(issue: InputIssue): string {
  return `${issue.path}: ${showValue(issue.value)} ${issue.problem}`;
}

export function formatInputIssues(issues: readonly InputIssue[]): string {
  if (issues.length === 1) return formatInputIssue(issues[0]!);
  return [`${issues.length} problems:`, ...issues.map((issue) => `  ${formatInputIssue(issue)}`)].join("\n");
}

function showValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
