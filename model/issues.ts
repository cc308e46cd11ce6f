/**
 * Config problems as the user sees them: the config path, the bad value, the broken rule and the fix.
 * Every check in the model reports through `ConfigIssue`, and the stack refuses to declare anything while
 * there is one.
 */

export interface ConfigIssue {
  /** Where in the stack config, e.g. `segmentation:vpcs.natonly.cidrs[0]`. */
  path: string;
  /** The offending value as written (undefined when the value is missing). */
  value: unknown;
  /** What is wrong with it, phrased to follow the value: `has host bits set`. */
  problem: string;
  /** What to do about it. */
  fix: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(formatIssues(issues));
    this.name = "ConfigError";
    this.issues = issues;
  }
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${showValue(issue.value)} ${issue.problem}; ${issue.fix}.`;
}

export function formatIssues(issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return [`Invalid stack config (${count}):`, ...issues.map((issue) => `  ${formatIssue(issue)}`)].join("\n");
}

function showValue(value: unknown): string {
  if (value === undefined) return "(missing)";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Renders a path of keys and indexes the way the config reference writes it: `vpcs.natonly.cidrs[0]`. */
export function propertyPath(path: readonly PropertyKey[], prefix = ""): string {
  let text = prefix;
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_$][\w-]*$/.test(part))
      text += text === "" ? part : `.${part}`;
    else text += `[${JSON.stringify(String(part))}]`;
  }
  return text;
}

/** A path inside the value of one stack config key: `segmentation:vpcs.natonly.cidrs[0]`. */
export function configPath(key: string, path: readonly PropertyKey[]): string {
  return propertyPath(path, `segmentation:${key}`);
}
