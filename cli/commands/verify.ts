/**
 * `netseg verify [--stack NAME | --config FILE | --plan DIR]`: checks a plan against the design's
 * reachability tables (DESIGN.md sections 2 and 4). Exit 0 when every cell holds, 1 with a table of the
 * violations when some do not, 2 for bad input.
 */

import { checkDesign } from "../../analysis/design";
import { checkMesh } from "../../analysis/mesh";
import { checkTenantProof } from "../../analysis/tenantProof";
import { loadPlan, type PlanSourceOptions } from "../plan/load";
import { meshVerifyText } from "../plan/mesh";
import { count, type Plan, planObjects } from "../plan/plan";
import { progressOn, SILENT } from "../plan/progress";
import { tenantProofText, verifyText } from "../plan/verify";
import { CommandError, type NetsegCommand } from "./command";

export const verify: NetsegCommand = (program, io) => {
  program
    .command("verify")
    .description("check a stack's planned policies against the design's reachability tables")
    .option(
      "-s, --stack <name>",
      "the stack to check, planned in memory from Pulumi.<name>.yaml (default: dev)",
    )
    .option("-c, --config <file>", "check this stack file instead")
    .option("-p, --plan <dir>", "check a plan directory written by netseg plan")
    .option("-q, --quiet", "print no progress on standard error")
    .action(async (options: PlanSourceOptions & { quiet?: boolean }) => {
      const progress = options.quiet ? SILENT : progressOn(io.stderr, "netseg verify");
      const plan: Plan = await loadPlan(options, progress);
      progress.step("design check: deciding every cell of the design's tables");
      const report = checkDesign(plan.config, planObjects(plan));
      progress.step(
        `design check: ${report.cellCount.toLocaleString("en")} cells, ` +
          `${report.violations.length.toLocaleString("en")} violations`,
      );
      io.stdout(verifyText(plan.stack, report));
      progress.step("tenant-proof: the design check again, with every team policy as wide as it may be");
      const tenantProof = checkTenantProof(plan.config, planObjects(plan));
      io.stdout(tenantProofText(tenantProof));
      const mesh = checkMesh(plan.config, planObjects(plan), report);
      io.stdout(meshVerifyText(mesh));
      if (mesh.violations.length + mesh.findings.length > 0 && report.violations.length === 0) {
        throw new CommandError(
          `both layers: ${mesh.violations.length} design cells do not hold, ${mesh.findings.length} inconsistencies`,
          1,
        );
      }
      if (tenantProof.broken.length > 0 && report.violations.length === 0) {
        throw new CommandError(
          `${count(tenantProof.broken.length, "forbidden cell")} a team policy can open in cluster-tier mode`,
          1,
        );
      }
      if (report.violations.length > 0) {
        throw new CommandError(
          `${report.violations.length.toLocaleString("en")} of ${report.cellCount.toLocaleString("en")} design cells do not hold`,
          1,
        );
      }
    });
};
