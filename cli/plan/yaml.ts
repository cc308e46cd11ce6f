/**
 * YAML for the plan directory, byte for byte what `yaml`'s `stringify(value, { lineWidth: 0 })` writes,
 * at a fraction of its cost: the library builds a node tree for every document, and a plan of 10,000
 * namespaces spent most of its report stage there. Here the library still decides how every scalar is
 * written (plain or quoted), once per distinct value, and this file only lays out the block maps and
 * sequences around them. Anything the layout below does not cover (a string with a line break, which
 * becomes a block scalar indented by its position; a very long key; a value that is not plain data) goes
 * to the library whole. `test/plan/yaml.test.ts` compares both on random data and on every shipped plan.
 */
import { stringify } from "yaml";

const OPTIONS = { lineWidth: 0 } as const;

/** Keys longer than this are written as explicit keys (`? key`) by the library. */
const LONGEST_IMPLICIT_KEY = 1000;

class Unsupported extends Error {}

const scalars = new Map<string, string>();

function scalarText(value: unknown): string {
  if (typeof value === "string" && (value.includes("\n") || value.includes("\r"))) throw new Unsupported();
  if (value !== null && !["string", "number", "boolean"].includes(typeof value)) throw new Unsupported();
  // String(-0) is "0", but the library writes -0 as "-0": the cache must tell them apart.
  const key = Object.is(value, -0) ? "number -0" : `${typeof value} ${String(value)}`;
  let text = scalars.get(key);
  if (text === undefined) {
    text = stringify(value, OPTIONS).slice(0, -1);
    if (text.includes("\n")) throw new Unsupported();
    scalars.set(key, text);
  }
  return text;
}

function isMap(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) throw new Unsupported();
  return true;
}

/** A value that fits on its key's or its dash's line: a scalar, or an empty map or sequence. */
function inline(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length === 0 ? "[]" : undefined;
  if (isMap(value)) return Object.keys(value).length === 0 ? "{}" : undefined;
  return scalarText(value);
}

function lines(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = inline(item);
      if (text !== undefined) {
        out.push(`${indent}- ${text}`);
        continue;
      }
      // A collection in a sequence starts on the dash's line, the rest indented under it.
      const start = out.length;
      lines(item, `${indent}  `, out);
      out[start] = `${indent}- ${out[start]!.slice(indent.length + 2)}`;
    }
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) throw new Unsupported();
    if (key.length > LONGEST_IMPLICIT_KEY) throw new Unsupported();
    const name = scalarText(key);
    const text = inline(item);
    if (text !== undefined) out.push(`${indent}${name}: ${text}`);
    else {
      out.push(`${indent}${name}:`);
      lines(item, `${indent}  `, out);
    }
  }
}

/** One YAML document, as `stringify(value, { lineWidth: 0 })` writes it. */
export function yamlText(value: unknown): string {
  try {
    const text = inline(value);
    if (text !== undefined) return `${text}\n`;
    const out: string[] = [];
    lines(value, "", out);
    return `${out.join("\n")}\n`;
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error;
    return stringify(value, OPTIONS);
  }
}
