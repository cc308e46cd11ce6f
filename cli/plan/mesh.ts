/**
 * The mesh layer in `netseg verify` and `netseg explain`: what both layers decide together, the findings
 * where they disagree, and for one connection which layer and which rule decided it.
 */
import type { PlannedObjects } from "../../analysis/estate";
import { layersOf, type MeshReport, meshVerdict } from "../../analysis/mesh";
import type { Endpoint, ProbeResult } from "../../evaluator";
import type { SegmentationConfig } from "../../model/config";
import { DESCRIPTION_ANNOTATION } from "../../model/policy";
import { count } from "./plan";
import { textTable } from "./verify";

/** The mesh part of `netseg verify`'s output; empty when nothing is meshed. */
export function meshVerifyText(report: MeshReport): string {
  if (!report.enabled) return "";
  const decided = report.cells.filter((cell) => cell.mesh.decision !== "not-meshed").length;
  const head =
    `Both layers (NetworkPolicies and Linkerd): ${count(decided, "cell")} end at a meshed pod's proxy; ` +
    `going strict would refuse ${count(report.auditOnly, "flow")} the design opens`;
  const parts: string[] = [];
  if (report.violations.length === 0 && report.findings.length === 0) {
    return `${head}; no violations, no inconsistencies.\n`;
  }
  if (report.violations.length > 0) {
    parts.push(
      `${count(report.violations.length, "cell")} do not hold with both layers:\n\n${textTable(
        ["from", "to", "port", "expected", "network", "mesh", "decided by"],
        report.violations.map((v) => [
          v.from,
          v.to,
          `${v.protocol}/${v.port}`,
          v.expected,
          v.network,
          v.mesh.allowed ? "allow" : "deny",
          v.decidedBy,
        ]),
      )}`,
    );
  }
  if (report.findings.length > 0) {
    parts.push(
      `${count(report.findings.length, "inconsistency", "inconsistencies")} between the layers:\n\n${textTable(
        ["finding", "subject", "detail"],
        report.findings.map((f) => [f.kind, f.subject, f.detail]),
      )}`,
    );
  }
  return `${head}:\n\n${parts.join("\n\n")}\n`;
}

/**
 * The mesh lines of `netseg explain` and the verdict of both layers; undefined when nothing is meshed, so
 * the NetworkPolicies' verdict stands alone.
 */
export function meshExplanation(
  config: SegmentationConfig,
  objects: PlannedObjects,
  ends: { from: Endpoint; to: Endpoint },
  result: ProbeResult,
): { verdict: "allow" | "deny"; summary: string; lines: string[] } | undefined {
  if (Object.keys(config.mesh.namespaces).length === 0) return undefined;
  const layers = layersOf(config, objects);
  const { port, protocol } = result.connection;
  const mesh = meshVerdict(layers, ends.from, ends.to, port, protocol);
  const described = (key: string) => {
    const [namespace, name] = key.split("/");
    const object = (objects.linkerd ?? []).find(
      (o) =>
        o.metadata.namespace === namespace && o.metadata.name === name && o.kind === "AuthorizationPolicy",
    );
    const description = object?.metadata.annotations?.[DESCRIPTION_ANNOTATION];
    return description ? `${key}: ${description}` : key;
  };
  const verdict = result.verdict === "allow" && mesh.allowed ? "allow" : "deny";
  const lines = [
    `mesh layer (Linkerd): ${mesh.allowed ? "allowed" : "denied"}${mesh.audit ? " (audit)" : ""}`,
  ];
  lines.push(`  ${mesh.reason}`);
  if (mesh.authorizedBy.length > 0) {
    lines.push(
      "  authorized by:",
      ...mesh.authorizedBy.map((key) => `    AuthorizationPolicy ${described(key)}`),
    );
  }
  const deciding =
    verdict === "allow"
      ? "both layers allow it"
      : result.verdict === "deny" && !mesh.allowed
        ? "both layers deny it"
        : result.verdict === "deny"
          ? "the NetworkPolicies deny it"
          : "the mesh denies it";
  return {
    verdict,
    summary: `network ${result.verdict}, mesh ${mesh.allowed ? "allow" : "deny"}: ${deciding}`,
    lines: ["", ...lines],
  };
}
