/**
 * `netseg diff BASE HEAD [--stack NAME]`: the segmentation diff between two plans, each a plan directory or
 * a git ref, as Markdown for a PR comment. Exit 0 when no connection opens, 3 when some does, 2 for bad
 * input, 1 for anything else: the pull-request workflow relies on these.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { opensAnything } from "../../analysis/diff";
import { reachabilityOf } from "../../analysis/reachability";
import { checkTenantProof, lostTenantProof } from "../../analysis/tenantProof";
import { diffMarkdown, diffPlans } from "../plan/diff";
import { readPlanDirectory } from "../plan/files";
import { commitOf, planGitRef } from "../plan/git";
import { count, DEFAULT_STACK, type Plan, planObjects } from "../plan/plan";
import { type Progress, progressOn, SILENT } from "../plan/progress";
import { CommandError, type NetsegCommand } from "./command";

export const EXIT_OPENED = 3;

function planOf(side: string, stack: string, progress: Progress): Plan {
  if (existsSync(side) && statSync(side).isDirectory()) {
    const plan = readPlanDirectory(resolve(side));
    progress.step(`${side}: plan of stack ${plan.stack || "(unknown)"}`);
    return plan;
  }
  const commit = commitOf(side);
  if (commit === undefined) {
    throw new CommandError(`${side} is neither a plan directory nor a git ref of this repository`);
  }
  return planGitRef(side, commit, stack, progress);
}

export const diff: NetsegCommand = (program, io) => {
  program
    .command("diff")
    .description(
      "which connections open, close or change ports between two plans, then which resources change",
    )
    .argument("<base>", "a plan directory, or a git ref to plan")
    .argument("<head>", "a plan directory, or a git ref to plan")
    .option("-s, --stack <name>", "the stack to plan at each git ref (default: dev)")
    .option("-q, --quiet", "print no progress on standard error")
    .action((base: string, head: string, options: { stack?: string; quiet?: boolean }) => {
      const progress = options.quiet ? SILENT : progressOn(io.stderr, "netseg diff");
      const stack = options.stack ?? DEFAULT_STACK;
      const plans = [planOf(base, stack, progress), planOf(head, stack, progress)] as const;
      const [before, after] = plans.map((plan) => ({
        reachability: reachabilityOf(plan.config, planObjects(plan)),
        resources: plan.resources,
      }));
      const result = diffPlans(before!, after!);
      progress.step("tenant-proof: both plans, with every team policy as wide as it may be");
      const [baseProof, headProof] = plans.map((plan) => checkTenantProof(plan.config, planObjects(plan)));
      result.tenantProofLost = lostTenantProof(baseProof!, headProof!);
      progress.step(
        `${count(result.changes.length, "connection")} changed, ` +
          `${count(result.resources.added.length + result.resources.changed.length + result.resources.removed.length, "resource")} changed`,
      );
      io.stdout(diffMarkdown(result));
      if (opensAnything(result)) throw new CommandError("connections open: see the report", EXIT_OPENED);
    });
};
