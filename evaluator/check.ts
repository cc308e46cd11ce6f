/**
 * The building blocks of input validation, shared by every kind of object the evaluator reads: a report
 * that collects every problem with its path, and checks for the shapes Kubernetes objects share (label
 * selectors, ports, protocols).
 */
import { labelKeyProblem, labelValueProblem } from "../core/labels";
import type { InputIssue } from "./errors";
import { OPERATORS } from "./selectors";
import { PROTOCOLS, type Protocol } from "./types";

export type Json = Record<string, unknown>;

/** Collects issues while walking the input: problems refuse it, warnings only go with the answer. */
export class Report {
  readonly issues: InputIssue[] = [];
  readonly warnings: InputIssue[] = [];

  add(path: string, value: unknown, problem: string): void {
    this.issues.push({ path, value, problem });
  }

  warn(path: string, value: unknown, problem: string): void {
    this.warnings.push({ path, value, problem });
  }
}

/** `a.b`, `a[0]` or `a["kubernetes.io/metadata.name"]`, as a person would write the path. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : undefined;
  if (name === undefined) return `${path}[${JSON.stringify(key)}]`;
  return path === "" ? name : `${path}.${name}`;
}

export function isRecord(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function objectAt(report: Report, value: unknown, path: string, what: string): value is Json {
  if (isRecord(value)) return true;
  report.add(path, value, `is not an object; expected ${what}`);
  return false;
}

export function arrayAt(report: Report, value: unknown, path: string, what: string): value is unknown[] {
  if (Array.isArray(value)) return true;
  report.add(path, value, `is not a list; expected a list of ${what}`);
  return false;
}

export function onlyKeys(
  report: Report,
  value: Json,
  path: string,
  what: string,
  keys: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!keys.includes(key)) {
      report.add(
        childPath(path, key),
        value[key],
        `is not a field of ${what}; the fields are ${keys.join(", ")}`,
      );
    }
  }
}

export function stringAt(report: Report, value: unknown, path: string): value is string {
  if (typeof value === "string" && value.length > 0) return true;
  report.add(path, value, "is not a non-empty string");
  return false;
}

export function labelsAt(report: Report, value: unknown, path: string): Record<string, string> {
  if (value === undefined) return {};
  if (!objectAt(report, value, path, "a map of label keys to values")) return {};
  const labels: Record<string, string> = {};
  for (const [key, labelValue] of Object.entries(value)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) report.add(childPath(path, key), key, `as a label key ${keyProblem}`);
    if (typeof labelValue !== "string") {
      report.add(childPath(path, key), labelValue, "is not a string; label values are strings");
      continue;
    }
    const valueProblem = labelValueProblem(labelValue);
    if (valueProblem) report.add(childPath(path, key), labelValue, valueProblem);
    labels[key] = labelValue;
  }
  return labels;
}

export function checkSelector(report: Report, value: unknown, path: string): void {
  if (!objectAt(report, value, path, "a label selector ({} selects everything)")) return;
  onlyKeys(report, value, path, "a label selector", ["matchLabels", "matchExpressions"]);
  labelsAt(report, value.matchLabels, childPath(path, "matchLabels"));
  const expressions = value.matchExpressions;
  const expressionsPath = childPath(path, "matchExpressions");
  if (expressions === undefined || !arrayAt(report, expressions, expressionsPath, "requirements")) return;
  expressions.forEach((expression, i) => {
    const at = childPath(expressionsPath, i);
    if (!objectAt(report, expression, at, "{key, operator, values}")) return;
    onlyKeys(report, expression, at, "a selector requirement", ["key", "operator", "values"]);
    if (stringAt(report, expression.key, childPath(at, "key"))) {
      const keyProblem = labelKeyProblem(expression.key);
      if (keyProblem) report.add(childPath(at, "key"), expression.key, `as a label key ${keyProblem}`);
    }
    const operator = expression.operator;
    if (typeof operator !== "string" || !(OPERATORS as readonly string[]).includes(operator)) {
      report.add(childPath(at, "operator"), operator, `is not an operator; use ${OPERATORS.join(", ")}`);
      return;
    }
    const values = expression.values;
    const valuesPath = childPath(at, "values");
    const needsValues = operator === "In" || operator === "NotIn";
    if (values === undefined || (Array.isArray(values) && values.length === 0)) {
      if (needsValues)
        report.add(valuesPath, values, `must list at least one value for operator ${operator}`);
      return;
    }
    if (!needsValues) {
      report.add(valuesPath, values, `must be empty for operator ${operator}, which only looks at the key`);
      return;
    }
    if (!arrayAt(report, values, valuesPath, "label values")) return;
    values.forEach((item, j) => {
      const problem = typeof item === "string" ? labelValueProblem(item) : "is not a string";
      if (problem) report.add(childPath(valuesPath, j), item, problem);
    });
  });
}

export function isPortNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** Why a port name is not an IANA service name (what Kubernetes requires of container port names). */
export function portNameProblem(name: string): string | undefined {
  if (/^\d+$/.test(name)) return "is a number written as a string; write it without quotes";
  if (name.length > 15) return "is longer than 15 characters, the limit for port names";
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) || name.includes("--") || !/[a-z]/.test(name)) {
    return "is not a valid port name (lower-case letters, digits and single '-', with at least one letter)";
  }
  return undefined;
}

export function protocolAt(report: Report, value: unknown, path: string): value is Protocol | undefined {
  if (value === undefined || (PROTOCOLS as readonly unknown[]).includes(value)) return true;
  const upper = typeof value === "string" ? value.toUpperCase() : "";
  const hint = (PROTOCOLS as readonly string[]).includes(upper) ? `; write "${upper}"` : "";
  report.add(path, value, `is not a protocol; use ${PROTOCOLS.join(", ")}${hint}`);
  return false;
}
