/**
 * A plan: what one stack declares, rendered offline. `netseg plan` builds it by running the real program
 * under Pulumi's mocks; `netseg verify`, `diff` and `explain` take it from there or read it back from a
 * plan directory. Everything the later commands need is in it, so a plan directory stands on its own.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { PlannedObjects } from "../../analysis/estate";
import type { Problem } from "../../core/problems";
import type { SegmentationConfig } from "../../model/config";
import { parseConfig } from "../../model/config";
import { ConfigError } from "../../model/issues";
import { PROJECT, rawConfigOf, readStackFile, stackNameOf, stacksIn } from "../../model/stackFile";
import type { ProgramHooks } from "../../program";
import { CommandError } from "../commands/command";
import { type Manifest, manifestsOf, plannedObjects } from "../manifests";
import type { RecordedResource } from "../offline";
import type { Progress } from "./progress";

export interface Plan {
  stack: string;
  /** The config as the model normalised it: what the probe estate and the design check are built from. */
  config: SegmentationConfig;
  /** Every resource the program declared, in URN order. */
  resources: RecordedResource[];
  /** The Kubernetes objects among them, as `kubectl apply` would receive them. */
  manifests: Manifest[];
  outputs: Record<string, unknown>;
}

export function planObjects(plan: Pick<Plan, "manifests">): PlannedObjects {
  return plannedObjects(plan.manifests);
}

/** The project's root: the directory of `package.json`, found from this file, never from the cwd. */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");

export const DEFAULT_STACK = "dev";

export interface StackSource {
  stack: string;
  /** Absolute path of the stack file. */
  file: string;
  /** The option that named it; without one, the default stack. */
  option?: "--stack" | "--config";
}

/**
 * Where a stack's config comes from: `--config FILE` (relative to the cwd) or `Pulumi.<stack>.yaml` in the
 * project root. A config file named like a stack file names the stack when `--stack` is not given.
 */
export function stackSource(
  options: { stack?: string; config?: string },
  root = PROJECT_ROOT,
  cwd = process.cwd(),
): StackSource {
  if (options.config !== undefined) {
    const file = resolve(cwd, options.config);
    return { stack: options.stack ?? stackNameOf(file) ?? DEFAULT_STACK, file, option: "--config" };
  }
  const stack = options.stack ?? DEFAULT_STACK;
  return {
    stack,
    file: join(root, `Pulumi.${stack}.yaml`),
    ...(options.stack === undefined ? {} : { option: "--stack" as const }),
  };
}

/** Reads and checks a stack's config; every problem at once, as exit code 2. */
export function loadStackConfig(source: StackSource): {
  config: SegmentationConfig;
  raw: Record<string, string>;
} {
  if (!existsSync(source.file)) throw new CommandError(missingStack(source));
  try {
    const raw = readStackFile(source.file).config;
    return { config: parseConfig(rawConfigOf(raw)), raw };
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new CommandError({ heading: `${source.file}: Invalid stack config`, problems: error.problems });
    }
    throw error;
  }
}

/** A stack that has no stack file, with the stacks that do. */
export function missingStack(source: StackSource): Problem {
  if (source.option === "--config") {
    return {
      path: "--config",
      value: source.file,
      rule: "stack-file-exists",
      problem: "is not a file",
      fix: "give the path of a stack file (Pulumi.<stack>.yaml)",
    };
  }
  const dir = dirname(source.file);
  const stacks = stacksIn(dir);
  return {
    path: source.option ?? "the default stack",
    value: source.stack,
    rule: "stack-file-exists",
    problem: `has no stack file Pulumi.${source.stack}.yaml in ${dir}`,
    fix:
      stacks.length === 0
        ? "create the stack file, or run netseg in the project's directory"
        : `use one of the stacks there: ${stacks.join(", ")}`,
  };
}

/**
 * What runs the stack: `segmentation()` of the project's `program.ts`, or of another checkout's (which may
 * predate the hooks, and be synchronous).
 */
export type StackProgram = (
  hooks?: ProgramHooks,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/**
 * The program of the project checked out at `root`: this one, or another checkout's (an older commit, for
 * `netseg diff`). Loaded on demand, because loading Pulumi and its providers takes a second that commands
 * such as `netseg probe` should not pay.
 */
export function programAt(root: string): StackProgram {
  const module = require(join(root, "program.ts")) as { segmentation: StackProgram };
  return module.segmentation;
}

/** Runs the stack's program under mocks with its config and collects the plan. */
export async function planStack(
  source: StackSource,
  progress: Progress,
  program: StackProgram = programAt(PROJECT_ROOT),
): Promise<Plan> {
  const { config, raw } = loadStackConfig(source);
  const { runOffline } = require("../offline") as typeof import("../offline");
  const areas = new Set(config.namespaces.map((ns) => ns.area)).size;
  progress.step(
    `config checked: ${count(config.namespaces.length, "namespace")} in ${count(areas, "area")}, ` +
      `phase ${config.phase}`,
  );
  let registered = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const hooks: ProgramHooks = {
    declared: (namespaces, total) =>
      progress.tick(
        `program: ${namespaces.toLocaleString("en")} of ${count(total, "namespace")} declared, ` +
          `${count(registered, "resource")} registered`,
      ),
  };
  const run = await runOffline(() => program(hooks), {
    project: PROJECT,
    stack: source.stack,
    config: raw,
    state: () => {
      registered++;
      return {};
    },
  });
  const used = process.cpuUsage(cpu);
  // CPU time next to the wall time: what the benchmark compares, less noisy on a shared machine.
  progress.step(
    `program run under mocks: ${count(run.resources.length, "resource")} declared ` +
      `(${seconds(performance.now() - started)}, CPU ${seconds((used.user + used.system) / 1000)})`,
  );
  for (const warning of run.warnings) progress.step(`warning from the program: ${warning}`);
  return {
    stack: source.stack,
    config,
    resources: run.resources,
    manifests: manifestsOf(run.resources),
    outputs: run.outputs,
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? noun : plural}`;
}
