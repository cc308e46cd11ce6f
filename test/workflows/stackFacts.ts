/** Runs a workflow's "read the stack's region and cluster" step the way a runner would. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/stack";
import type { Step } from "./workflow";

/** GitHub's command line for `shell: bash`. */
export const BASH = ["--noprofile", "--norc", "-eo", "pipefail"];

/** Runs a step's script in `cwd` with `env` added; returns the exit status, the output and what it set. */
export function runStep(
  step: Step,
  cwd: string,
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string; outputs: Record<string, string> } {
  const scratch = mkdtempSync(join(tmpdir(), "netseg-step-"));
  try {
    const outputFile = join(scratch, "github-output");
    const script = join(scratch, "step.sh");
    writeFileSync(script, step.run ?? "");
    writeFileSync(outputFile, "");
    const result = spawnSync("bash", [...BASH, script], {
      cwd,
      env: { ...process.env, ...env, GITHUB_OUTPUT: outputFile },
      encoding: "utf8",
    });
    const outputs = Object.fromEntries(
      readFileSync(outputFile, "utf8")
        .split("\n")
        .filter((line) => line.includes("="))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, outputs };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The region and cluster name the step reads for `stack`, run in the repository with its node_modules. */
export function stackFacts(step: Step, stack: string): Record<string, string> {
  const result = runStep(step, ROOT, { ...step.env, STACK: stack });
  if (result.status !== 0) throw new Error(`stack step failed for ${stack}: ${result.stderr}`);
  return result.outputs;
}
