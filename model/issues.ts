/**
 * Config problems as the user sees them: the config path, the bad value, the broken rule and the fix.
 * Every check in the model reports through `ConfigIssue` (a `Problem` of core/problems.ts), and the stack
 * refuses to declare anything while there is one.
 */
import { type ProblemDraft, ProblemError, withRule } from "../core/problems";

/** A config problem as a check writes it: path, value, problem, fix, and the rule when it knows better. */
export type ConfigIssue = ProblemDraft;

export class ConfigError extends ProblemError {
  constructor(issues: readonly ConfigIssue[]) {
    super("Invalid stack config", withRule("stack-config", issues));
    this.name = "ConfigError";
  }
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
