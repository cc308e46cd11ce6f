/** Reading workflow files for the tests: parsed YAML, and the jobs and steps in it. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "../support/stack";

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string>;
  concurrency?: string | { group: string; "cancel-in-progress"?: boolean };
  strategy?: {
    "fail-fast"?: boolean;
    matrix?: { include?: Record<string, string>[] } & Record<string, unknown>;
  };
  steps: Step[];
}

export interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress"?: boolean };
  defaults?: { run?: { shell?: string } };
  jobs: Record<string, Job>;
}

export function readWorkflow(file: string): Workflow {
  return parse(readFileSync(join(ROOT, ".github", "workflows", file), "utf8")) as Workflow;
}

/** The steps of a job that use an action, matched on the action's name without its version. */
export function stepsUsing(job: Job, action: string): Step[] {
  return job.steps.filter((step) => step.uses?.split("@")[0] === action);
}

export function indexOfRun(job: Job, command: string): number {
  return job.steps.findIndex((step) => step.run?.trim() === command);
}

export function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : ([] as string[]).concat(job.needs);
}

export function environmentOf(job: Job): string | undefined {
  return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

/** Permission scopes a job ends up with: its own block, or the workflow's when it has none. */
export function permissionsOf(workflow: Workflow, job: Job): Record<string, string> {
  return job.permissions ?? workflow.permissions ?? {};
}

/** A GitHub Actions expression as it appears in a workflow: `${{ body }}`. */
export function expression(body: string): string {
  return `\${{ ${body} }}`;
}
