/**
 * zod's issues in the project's words: the path as the user writes it, the value, what is wrong and how to
 * fix it. The stack config and the contract files both parse with zod and report through this one
 * translation, so a mistake reads the same wherever it is made.
 */
import type { z } from "zod";
import { withRule } from "../core/problems";
import { AREAS } from "./areas";
import type { ConfigIssue } from "./issues";

export type ZodIssue = z.core.$ZodIssue & { input?: unknown };

export interface ZodIssueContext {
  /** The schema that was parsed, to name the fields a map accepts. */
  schema: z.ZodType;
  /** Renders a path inside the parsed value the way the user's file writes it. */
  path(parts: readonly PropertyKey[]): string;
  /** What the schema's unions stand for, for a value that fits none of their shapes. */
  union?: { noun: string; fix: string };
}

/** The rule a zod issue breaks, as problems name it. */
const RULES: Partial<Record<ZodIssue["code"], string>> = {
  unrecognized_keys: "known-fields",
  invalid_value: "allowed-values",
  invalid_type: "field-type",
  too_small: "range",
  too_big: "range",
  invalid_union: "shape",
  invalid_format: "format",
};

export function issuesFromZod(issue: ZodIssue, context: ZodIssueContext): ConfigIssue[] {
  const rule =
    issue.code === "custom"
      ? ((issue.params?.rule as string | undefined) ?? "schema")
      : (RULES[issue.code] ?? "schema");
  return withRule(rule, zodIssueInWords(issue, context));
}

function zodIssueInWords(issue: ZodIssue, context: ZodIssueContext): ConfigIssue[] {
  const parts = issue.path as PropertyKey[];
  const at = context.path(parts);
  switch (issue.code) {
    case "custom":
      return [
        {
          path: at,
          value: issue.input,
          problem: issue.message,
          fix: (issue.params?.fix as string | undefined) ?? "correct the value",
        },
      ];
    case "unrecognized_keys":
      return unknownFields(issue, context);
    case "invalid_value": {
      const values = issue.values.map(String);
      const areas =
        values.length === AREAS.length &&
        values.every((value) => (AREAS as readonly string[]).includes(value));
      return [
        {
          path: at,
          value: issue.input,
          problem: areas ? "is not an area" : "is not one of the allowed values",
          fix: suggestion(String(issue.input), values) ?? `use one of ${values.join(", ")}`,
        },
      ];
    }
    case "invalid_type":
      return issue.input === undefined
        ? [{ path: at, value: undefined, problem: "is missing", fix: `add it (${noun(issue.expected)})` }]
        : [
            {
              path: at,
              value: issue.input,
              problem: `is ${describe(issue.input)}, not ${noun(issue.expected)}`,
              fix: `write ${noun(issue.expected)}`,
            },
          ];
    case "too_small":
      return issue.origin === "array"
        ? [{ path: at, value: issue.input, problem: "is empty", fix: "list at least one entry" }]
        : [{ path: at, value: issue.input, problem: "is out of range", fix: `use ${issue.minimum} or more` }];
    case "too_big":
      return [
        { path: at, value: issue.input, problem: "is out of range", fix: `use at most ${issue.maximum}` },
      ];
    case "invalid_union":
      return unionInWords(issue, context);
    default:
      return [{ path: at, value: issue.input, problem: issue.message, fix: "correct the value" }];
  }
}

/** Each unknown field of a map, with the known field probably meant or the list of known ones. */
function unknownFields(
  issue: Extract<ZodIssue, { code: "unrecognized_keys" }>,
  context: ZodIssueContext,
): ConfigIssue[] {
  const parts = issue.path as PropertyKey[];
  const known = knownFieldsAt(context.schema, parts);
  return issue.keys.map((key) => ({
    path: context.path([...parts, key]),
    value: (issue.input as Record<string, unknown> | undefined)?.[key],
    problem: "is not a known field",
    fix:
      suggestion(key, known) ??
      (known.length > 0 ? `remove it; known fields are ${known.join(", ")}` : "remove it"),
  }));
}

/**
 * A value that fits no shape of a union. A map where one shape of the union is a map has its fields named,
 * since they are what is wrong; anything else is named by what the union stands for.
 */
function unionInWords(
  issue: Extract<ZodIssue, { code: "invalid_union" }>,
  context: ZodIssueContext,
): ConfigIssue[] {
  const parts = issue.path as PropertyKey[];
  const at = context.path(parts);
  if (issue.input === undefined) {
    return [
      {
        path: at,
        value: undefined,
        problem: "is missing",
        fix: `add it (${context.union?.noun ?? "a value"})`,
      },
    ];
  }
  const fields = objectBranch(issue);
  if (fields) {
    return fields.flatMap((inner) =>
      issuesFromZod({ ...inner, path: [...parts, ...inner.path] } as ZodIssue, context),
    );
  }
  return context.union
    ? [
        {
          path: at,
          value: issue.input,
          problem: `is ${describe(issue.input)}, not ${context.union.noun}`,
          fix: context.union.fix,
        },
      ]
    : [
        {
          path: at,
          value: issue.input,
          problem: "has none of the accepted shapes",
          fix: "correct the value",
        },
      ];
}

/**
 * For a map that fits no shape of a union: the issues of the one shape that failed on its fields (rather
 * than on the value not being a map at all), or undefined when no single shape is meant.
 */
function objectBranch(issue: ZodIssue): ZodIssue[] | undefined {
  const input = issue.input;
  if (typeof input !== "object" || input === null || Array.isArray(input)) return undefined;
  const branches = ((issue as { errors?: ZodIssue[][] }).errors ?? []).filter(
    (branch) =>
      branch.length > 0 && !branch.some((inner) => inner.path.length === 0 && inner.code === "invalid_type"),
  );
  return branches.length === 1 ? branches[0] : undefined;
}

/** The field names an object schema accepts at `path` (through optionals, defaults, pipes), for hints. */
export function knownFieldsAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  type Def = Record<string, unknown> & { type?: string };
  const defOf = (s: unknown): Def | undefined => {
    let def = (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;
    for (let guard = 0; def && guard < 10; guard++) {
      const inner = def.innerType ?? def.in;
      if (!inner) break;
      def = (inner as { _zod: { def: Def } })._zod.def;
    }
    return def;
  };
  // Of a union, the object member names the fields (a peer is one of several maps of fields).
  const objectOf = (def: Def | undefined): Def | undefined =>
    def?.type === "union" ? defOf((def.options as unknown[]).find((o) => defOf(o)?.type === "object")) : def;
  let current: unknown = schema;
  for (const part of path) {
    const def = objectOf(defOf(current));
    if (def?.type === "object") current = (def.shape as Record<string, unknown>)[String(part)];
    else if (def?.type === "record") current = def.valueType;
    else if (def?.type === "array") current = def.element;
    else return [];
  }
  const def = objectOf(defOf(current));
  // `$schema` lets editors find the published schema; it is not a field anyone misspells.
  return def?.type === "object" ? Object.keys(def.shape as object).filter((key) => !key.startsWith("$")) : [];
}

/** "did you mean ..." for a near-miss of a known word (edit distance at most 2, or a case difference). */
export function suggestion(value: string, known: readonly string[]): string | undefined {
  const best = known
    .map((candidate) => ({ candidate, distance: editDistance(value.toLowerCase(), candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance)[0];
  return best && best.distance <= 2 ? `did you mean "${best.candidate}"?` : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "empty";
  if (typeof value === "object") return "a map of fields";
  if (typeof value === "number" && !Number.isInteger(value)) return "a fraction";
  return `a ${typeof value}`;
}

function noun(expected: string): string {
  const word =
    expected === "array"
      ? "list"
      : expected === "object"
        ? "map of fields"
        : expected === "int"
          ? "whole number"
          : expected;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}
