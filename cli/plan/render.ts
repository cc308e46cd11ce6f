/** From a plan to everything `netseg plan` writes: reachability, design check, reports, picture. */
import { checkDesign, type DesignReport } from "../../analysis/design";
import { type PlanReachability, reachabilityOf } from "../../analysis/reachability";
import { type StoreAccessAnswer, StoreAccessModel, storeAccessTable } from "../../analysis/storeAccess";
import { type ReachabilitySummary, summarise } from "../../analysis/summary";
import { checkTenantProof, type TenantProofReport } from "../../analysis/tenantProof";
import { renderHtml, renderMarkdown } from "./document";
import { type PlanFile, planFiles } from "./files";
import { heatMapSvg } from "./heatmap";
import { count, type Plan, planObjects } from "./plan";
import type { Progress } from "./progress";
import { reportBlocks } from "./report";

export interface PlanAnalysis {
  reachability: PlanReachability;
  summary: ReachabilitySummary;
  design: DesignReport;
  tenantProof: TenantProofReport;
  /** Every area namespace against every data store, across layers; empty above `STORE_TABLE_LIMIT`. */
  storeAccess: StoreAccessAnswer[];
}

/** Area namespaces up to which the plan asks every namespace about every store (one probe each). */
export const STORE_TABLE_LIMIT = 200;

export function analysePlan(plan: Plan, progress: Progress): PlanAnalysis {
  const objects = planObjects(plan);
  progress.step(`reachability: evaluating ${count(objects.policies.length, "policy", "policies")}`);
  const reachability = reachabilityOf(plan.config, objects);
  const summary = summarise(reachability, plan.config);
  progress.step(
    `reachability: ${count(reachability.sources.length, "source")} × ` +
      `${count(reachability.destinations.length, "destination")}, ` +
      `${count(summary.connections.evaluated, "connection")} evaluated, ` +
      `${summary.connections.allowed.toLocaleString("en")} allowed`,
  );
  progress.step("design check: deciding every cell of the design's tables");
  const design = checkDesign(plan.config, objects);
  progress.step(
    `design check: ${count(design.cellCount, "cell")}, ${count(design.violations.length, "violation")}`,
  );
  const storeAccess =
    plan.config.namespaces.length <= STORE_TABLE_LIMIT && plan.config.dataStores.length > 0
      ? storeAccessTable(new StoreAccessModel(plan.config, objects))
      : [];
  progress.step("tenant-proof: the design check again, with every team policy as wide as it may be");
  const tenantProof = checkTenantProof(plan.config, objects);
  progress.step(
    `tenant-proof: ${count(tenantProof.proof, "forbidden cell")} of ${tenantProof.forbidden.toLocaleString("en")} stay denied`,
  );

  return { reachability, summary, design, tenantProof, storeAccess };
}

export function renderPlan(plan: Plan, progress: Progress): { files: PlanFile[]; analysis: PlanAnalysis } {
  const analysis = analysePlan(plan, progress);
  progress.step("reports: rendering reachability.md, .svg and .html");
  const blocks = reportBlocks({
    stack: plan.stack,
    phase: plan.config.phase,
    summary: analysis.summary,
    design: analysis.design,
    tenantProof: analysis.tenantProof,
    storeAccess: analysis.storeAccess,
  });
  const svg = heatMapSvg(plan.stack, analysis.summary);
  const markdown = renderMarkdown(blocks);
  const html = renderHtml(`Reachability: stack ${plan.stack}`, blocks, svg);
  return { files: planFiles(plan, { markdown, svg, html }), analysis };
}
