/** What `netseg verify` prints: the cells checked per section and, when some do not hold, which and why. */
import type { DesignCell, DesignReport } from "../../analysis/design";
import { cellKey, type TenantProofReport } from "../../analysis/tenantProof";
import { count } from "./plan";
import { tenantProofSentence, violationTable } from "./report";

const SECTIONS = ["ingress", "egress", "dns", "tools", "controllers"] as const;

export function verifyText(stack: string, report: DesignReport): string {
  const sections = SECTIONS.map(
    (section) =>
      `${section} ${report.groups
        .filter((c) => c.section === section)
        .reduce((sum, group) => sum + group.count, 0)
        .toLocaleString("en")}`,
  ).join(", ");
  const head = `Design check of stack ${stack || "(unknown)"}: ${count(report.cellCount, "cell")} (${sections})`;
  if (report.violations.length === 0) return `${head}, no violations.\n`;
  const { header, rows } = violationTable(report.violations);
  return `${head}, ${count(report.violations.length, "violation")}:\n\n${textTable(header, rows)}\n`;
}

/** Columns padded to their widest cell; the last one (the evaluator's reason, long) is left as it is. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const rule = header.map((h, i) => "-".repeat(i === header.length - 1 ? h.length : widths[i]!));
  return [line(header), line(rule), ...rows.map(line)].join("\n");
}

/** Up to this many exposed cells, `netseg verify` names each one; beyond, it lists their groups. */
export const EXPOSED_CELLS_LISTED = 1000;

/**
 * The tenant-proof check: every forbidden cell that a team's own policy can open, by name. In cluster-tier
 * mode the ones the tier should hold are marked; any of them fails `netseg verify`. A large estate opens
 * millions of cells that hold only while teams behave (every strict namespace's same-area pods), so past
 * `EXPOSED_CELLS_LISTED` each row is a group of cells decided alike, named by one example, with its count.
 */
export function tenantProofText(report: TenantProofReport): string {
  const head = `Tenant-proof: ${tenantProofSentence(report).replaceAll("**", "")}`;
  if (report.exposedCount === 0) return `${head}\n`;
  const header = ["section", "from", "to", "port", "tier should hold", "design rule"];
  const row = (cell: DesignCell, shouldHold: boolean) => [
    cell.section,
    cell.from,
    cell.to,
    `${cell.port}/${cell.protocol}`,
    shouldHold ? "yes" : "",
    cell.rule,
  ];
  if (report.exposedCount <= EXPOSED_CELLS_LISTED) {
    const broken = new Set(report.broken.map(cellKey));
    const rows = Array.from(report.exposedCells(), (cell) => row(cell, broken.has(cellKey(cell))));
    return `${head}\n\n${textTable(header, rows)}\n`;
  }
  const brokenGroups = new Set(report.brokenGroups);
  const rows = report.exposed.map((group) => [String(group.count), ...row(group, brokenGroups.has(group))]);
  return (
    `${head}\n\n${count(report.exposed.length, "group")} of cells decided alike, each named by one example:\n\n` +
    `${textTable(["cells", ...header], rows)}\n`
  );
}
