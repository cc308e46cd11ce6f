/**
 * Label selectors with Kubernetes semantics: `matchLabels` is shorthand for `In` requirements, every
 * requirement must hold, and an empty selector matches everything. Each compiled selector carries a
 * canonical key, so selectors written differently but meaning the same share one cached match set.
 */
import type { LabelSelector } from "../core/k8s";

export type Operator = "In" | "NotIn" | "Exists" | "DoesNotExist";

export const OPERATORS: readonly Operator[] = ["In", "NotIn", "Exists", "DoesNotExist"];

export interface Requirement {
  key: string;
  operator: Operator;
  values: ReadonlySet<string>;
}

export interface Selector {
  requirements: readonly Requirement[];
  /** Equal for selectors that match the same label sets by construction (order and duplicates aside). */
  key: string;
}

export type Labels = Readonly<Record<string, string>>;

/** Compiles a selector that has passed input validation. */
export function compileSelector(selector: LabelSelector): Selector {
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: "In", values: new Set([value]) });
  }
  for (const expression of selector.matchExpressions ?? []) {
    requirements.push({
      key: expression.key,
      operator: expression.operator as Operator,
      values: new Set(expression.values ?? []),
    });
  }
  const parts = requirements.map((r) => `${r.key} ${r.operator} ${JSON.stringify([...r.values].sort())}`);
  return { requirements, key: [...new Set(parts)].sort().join(", ") };
}

export const EVERYTHING: Selector = { requirements: [], key: "" };

export function matches(selector: Selector, labels: Labels): boolean {
  for (const requirement of selector.requirements) {
    if (!satisfies(requirement, labels)) return false;
  }
  return true;
}

function satisfies(requirement: Requirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  switch (requirement.operator) {
    case "In":
      return present && requirement.values.has(labels[requirement.key]!);
    // NotIn also matches objects without the label at all, as in the API machinery.
    case "NotIn":
      return !present || !requirement.values.has(labels[requirement.key]!);
    case "Exists":
      return present;
    case "DoesNotExist":
      return !present;
  }
}

/**
 * An inverted index from `key=value` to the items carrying that label, so a selector with an `In`
 * requirement only looks at the items that could match instead of scanning all of them.
 */
export class LabelIndex<T> {
  private readonly byLabel = new Map<string, Map<string, T[]>>();

  constructor(
    private readonly items: readonly T[],
    private readonly labelsOf: (item: T) => Labels,
  ) {
    for (const item of items) {
      for (const [key, value] of Object.entries(labelsOf(item))) {
        const values = this.byLabel.get(key) ?? new Map<string, T[]>();
        this.byLabel.set(key, values);
        const list = values.get(value);
        if (list) list.push(item);
        else values.set(value, [item]);
      }
    }
  }

  /** The items the selector matches. */
  select(selector: Selector): T[] {
    let candidates: readonly T[] = this.items;
    for (const requirement of selector.requirements) {
      if (requirement.operator !== "In") continue;
      const values = this.byLabel.get(requirement.key);
      let count = 0;
      for (const value of requirement.values) count += values?.get(value)?.length ?? 0;
      if (count < candidates.length) {
        candidates = [...requirement.values].flatMap((value) => values?.get(value) ?? []);
      }
    }
    return candidates.filter((item) => matches(selector, this.labelsOf(item)));
  }
}
