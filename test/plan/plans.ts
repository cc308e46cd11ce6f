/**
 * Plans of the dev stack and of edited copies, shared by the plan, verify, diff and explain tests: each full
 * run of the program costs about a second, so every file reads the same few.
 */
import type { Manifest } from "../../cli/manifests";
import { manifestsOf } from "../../cli/manifests";
import type { RecordedResource } from "../../cli/offline";
import type { Plan } from "../../cli/plan/plan";
import { SILENT } from "../../cli/plan/progress";
import { renderPlan } from "../../cli/plan/render";
import { parseConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import { devConfig, devRun, editedConfig, runStack } from "../support/stack";

export function planOf(
  config: Record<string, string>,
  run: { resources: RecordedResource[]; outputs: unknown },
): Plan {
  return {
    stack: "dev",
    config: parseConfig(rawConfigOf(config)),
    resources: run.resources,
    manifests: manifestsOf(run.resources) as Manifest[],
    outputs: run.outputs as Record<string, unknown>,
  };
}

let dev: Promise<Plan> | undefined;
export function devPlan(): Promise<Plan> {
  dev ??= devRun().then((run) => planOf(devConfig(), run));
  return dev;
}

let rendered: Promise<ReturnType<typeof renderPlan>> | undefined;
/** The dev plan's files and analysis, as `netseg plan` renders them. */
export function devRendered(): Promise<ReturnType<typeof renderPlan>> {
  rendered ??= devPlan().then((plan) => renderPlan(plan, SILENT));
  return rendered;
}

/** The namespace the diff tests move, and where. */
export const MOVED = { namespace: "sherlock", from: "internalservices", to: "backoffice" } as const;

let moved: Promise<Plan> | undefined;
/** Dev with `sherlock` moved from internalservices to backoffice. */
export function movedPlan(): Promise<Plan> {
  moved ??= (async () => {
    // Runs of the program share Pulumi's runtime, so they go one after the other.
    await devPlan();
    const config = editedConfig((values) => {
      values.namespaces[MOVED.namespace].area = MOVED.to;
    });
    return planOf(config, await runStack(config));
  })();
  return moved;
}
