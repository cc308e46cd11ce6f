/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI hands it to a program: every `namespace:key` value as
 * a string, structured values JSON-encoded. The offline plan and the tests feed this to the runtime, so the
 * program sees exactly what `pulumi up` would show it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseDocument } from "yaml";
import type { RawConfig } from "./config";
import { ConfigError, type ConfigIssue } from "./issues";

export const PROJECT = "segmentation";

export interface StackFile {
  /** Config as Pulumi passes it to programs: `segmentation:cluster` → '{"name":...}'. */
  config: Record<string, string>;
}

/** Parses stack-file text; duplicate keys and YAML errors become config issues with their line. */
export function parseStackFile(text: string, fileName: string): StackFile {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const issues: ConfigIssue[] = document.errors.map((error) => {
    const line = error.linePos?.[0]?.line;
    const where = line === undefined ? fileName : `${fileName} line ${line}`;
    return error.code === "DUPLICATE_KEY"
      ? {
          path: where,
          value: keyAt(text, line),
          rule: "unique-keys",
          problem: "appears twice in the same map (a namespace listed twice?)",
          fix: "keep one entry per key",
        }
      : {
          path: where,
          value: undefined,
          rule: "yaml-syntax",
          problem: `is not valid YAML (${error.message})`,
          fix: "correct the syntax",
        };
  });
  if (issues.length > 0) throw new ConfigError(issues);
  const parsed = (document.toJS() ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${PROJECT}:${key}`;
    config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { config };
}

/**
 * The stack a stack file is named for: `Pulumi.prod.yaml` → `prod`. Undefined for a file named otherwise,
 * which the commands then read as the default stack's.
 */
export function stackNameOf(path: string): string | undefined {
  return /^Pulumi\.([^.]+)\.yaml$/.exec(basename(path))?.[1];
}

/** The stacks that have a stack file in `dir`, sorted. */
export function stacksIn(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((file) => /^Pulumi\.([^.]+)\.yaml$/.exec(file)?.[1] ?? [])
    .sort();
}

export function readStackFile(path: string): StackFile {
  return parseStackFile(readFileSync(path, "utf8"), path);
}

/** Turns Pulumi-style config strings into the plain data the model parses. */
export function rawConfigOf(config: Readonly<Record<string, string>>): RawConfig {
  const values: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(config)) {
    if (key.startsWith(`${PROJECT}:`)) values[key.slice(PROJECT.length + 1)] = decode(text);
  }
  const region = config["aws:region"];
  return region === undefined ? { values } : { values, region };
}

/** Structured config arrives JSON-encoded; a plain string value (like a phase) arrives as itself. */
function decode(text: string): unknown {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : text;
  } catch {
    return text;
  }
}

function keyAt(text: string, line: number | undefined): string | undefined {
  if (line === undefined) return undefined;
  return text.split("\n")[line - 1]?.trim().split(":")[0]?.trim();
}
