/**
 * Problems as a person sees them, whatever found them (stack config, evaluator input, a contract, a
 * command's arguments): where, the value as written, the rule it breaks, what is wrong and the fix. One
 * shape and one formatter, so every layer words its findings alike and tests can inspect them.
 */

export interface Problem {
  /** Where: `segmentation:vpcs.natonly.cidrs[0]`, `probes[3].to.pod`, `contract.yaml line 12: ingress[0]`. */
  path: string;
  /** The offending value as written (undefined when the value is missing). */
  value: unknown;
  /** Short, stable name of the rule broken (`peered-vpcs-do-not-overlap`, `named-port`), for tools and docs. */
  rule: string;
  /** What is wrong, phrased to follow the value: `has host bits set`. */
  problem: string;
  /** What to do about it. */
  fix: string;
}

/** A problem as a check writes it, before the check's rule name is stamped on it. */
export type ProblemDraft = Omit<Problem, "rule"> & { rule?: string };

/** Stamps `rule` on the drafts that do not name a more precise one. */
export function withRule(rule: string, drafts: readonly ProblemDraft[]): Problem[] {
  return drafts.map((draft) => ({ ...draft, rule: draft.rule ?? rule }));
}

/**
 * An error that carries every problem found, so callers report them all at once. The Pulumi program turns
 * it into a `RunError` (message, no stack trace); netseg prints it and exits with 2.
 */
export class ProblemError extends Error {
  readonly problems: readonly Problem[];

  /** `heading` names what was checked: `Invalid stack config`. */
  constructor(heading: string, problems: readonly Problem[]) {
    super(formatProblems(heading, problems));
    this.name = "ProblemError";
    this.problems = problems;
  }
}

/** `path: "value" problem; fix.` on one line. */
export function formatProblem(problem: Omit<Problem, "rule">): string {
  return `${problem.path}: ${showValue(problem.value)} ${problem.problem}; ${sentence(problem.fix)}`;
}

/** A heading with the count, then one indented line per problem. */
export function formatProblems(heading: string, problems: readonly Omit<Problem, "rule">[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  return [`${heading} (${count}):`, ...problems.map((problem) => `  ${formatProblem(problem)}`)].join("\n");
}

/** A value as the user wrote it, shortened to fit one line. */
export function showValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Ends the text with a full stop unless it already ends a sentence (`did you mean "x"?`). */
export function sentence(text: string): string {
  return /[.?!]$/.test(text) ? text : `${text}.`;
}
