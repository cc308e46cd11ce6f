/**
 * The layering of the code, as folders: which folder may import which. The architecture test checks every
 * import of every TypeScript file against it, so an edge the wrong way fails the build instead of slowly
 * turning the pure model into something that loads Pulumi or the command line.
 *
 *   core ← evaluator ← analysis → model → core
 *   core ← model ← components ← program (index.ts, program.ts, config.ts)
 *   core ← model ← components ← service (the entry a service's own stack installs)
 *   cli imports any of them; tests and benchmarks too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import ts from "typescript";

export const LAYERS = [
  "core",
  "evaluator",
  "model",
  "analysis",
  "components",
  "program",
  "policy",
  "service",
  "cli",
  "examples",
  "tooling",
] as const;
export type Layer = (typeof LAYERS)[number];

/** The project layers each layer may import (itself included where listed). */
export const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  core: ["core"],
  evaluator: ["core", "evaluator"],
  model: ["core", "model"],
  analysis: ["core", "evaluator", "model", "analysis"],
  components: ["core", "model", "components"],
  program: ["core", "model", "components", "program"],
  // The CrossGuard pack runs in its own process, on the resources alone.
  policy: ["core", "model", "policy"],
  // The package entry a service's stack installs: the contract vocabulary and its component, nothing else.
  service: ["core", "model", "components", "service"],
  cli: ["core", "evaluator", "model", "analysis", "components", "program", "cli"],
  // What a service team's code may import: the contract vocabulary and its primitives.
  examples: ["core", "model", "examples"],
  tooling: LAYERS,
};

/** Layers that must stay runnable without a Pulumi engine: plain data in, plain data out. */
const NO_PULUMI: readonly Layer[] = ["core", "evaluator", "model", "analysis"];

/** Root-level files that make up the Pulumi program. */
const PROGRAM_FILES = ["index.ts", "program.ts", "config.ts"];

export interface SourceFile {
  /** Path from the repository root with `/` separators: `model/config.ts`. */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  imported: string;
  why: string;
}

/** The layer of a file, or undefined for a file in no known place (itself a violation). */
export function layerOf(path: string): Layer | undefined {
  if (!path.includes("/")) return PROGRAM_FILES.includes(path) ? "program" : undefined;
  const top = path.slice(0, path.indexOf("/"));
  if (top === "test" || top === "bench") return "tooling";
  return (LAYERS as readonly string[]).includes(top) && top !== "program" && top !== "tooling"
    ? (top as Layer)
    : undefined;
}

/** Every import (static, `export from`, `import()`, `require()`, `typeof import`) of a file. */
export function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((file) => file.fileName);
}

export function violations(files: readonly SourceFile[]): Violation[] {
  const out: Violation[] = [];
  for (const file of files) {
    const from = layerOf(file.path);
    if (from === undefined) {
      out.push({ file: file.path, imported: "", why: "is in no layer; put it in one of the layer folders" });
      continue;
    }
    for (const imported of importsOf(file.text)) {
      if (imported.startsWith(".")) {
        const target = normalize(join(dirname(file.path), imported))
          .split("\\")
          .join("/");
        const to = layerOf(target.endsWith(".ts") ? target : `${target}.ts`) ?? layerOf(`${target}/index.ts`);
        if (to === undefined || !ALLOWED[from].includes(to)) {
          out.push({ file: file.path, imported, why: `${from} may not import ${to ?? target}` });
        }
      } else if (NO_PULUMI.includes(from) && imported.startsWith("@pulumi/")) {
        out.push({ file: file.path, imported, why: `${from} may not import Pulumi` });
      }
    }
  }
  return out;
}

/** Every TypeScript file of the repository, outside dependencies and generated output. */
export function repositoryFiles(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || ["node_modules", "out", "dist"].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        files.push({ path: relative(root, path).split("\\").join("/"), text: readFileSync(path, "utf8") });
      }
    }
  };
  walk(root);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}
