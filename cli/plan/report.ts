/**
 * `reachability.md` and `reachability.html`: the plan's reachability as a reviewer reads it, from the
 * summary (who reaches whom) and the design check (what should hold and what does not).
 */
import type { DesignCellGroup, DesignReport, Section, Violation } from "../../analysis/design";
import { portText } from "../../analysis/reachability";
import type { StoreAccessAnswer, StoreLayer } from "../../analysis/storeAccess";
import {
  type NamespaceCell,
  portsCellText,
  type ReachabilitySummary,
  SERVICE,
  tallyText,
} from "../../analysis/summary";
import type { TenantProofReport } from "../../analysis/tenantProof";
import type { Block } from "./document";
import { NAMESPACE_GRID_LIMIT } from "./heatmap";
import { count } from "./plan";

/** Above this many area namespaces the Markdown lists namespaces by what they reach instead of a grid. */
export const NAMESPACE_TABLE_LIMIT = 40;

const SECTIONS: Section[] = ["ingress", "egress", "dns", "tools", "controllers"];

const CELL_MARK: Record<NamespaceCell, string> = {
  allow: "●",
  "endpoint-only": "◐",
  partial: "○",
  deny: "·",
};

export interface ReportInput {
  stack: string;
  phase: string;
  summary: ReachabilitySummary;
  design: DesignReport;
  tenantProof?: TenantProofReport;
  /** Area namespace × data store across layers (analysis/storeAccess.ts). @default [] */
  storeAccess?: StoreAccessAnswer[];
}

/** What a namespace × store cell shows: reached, or the layer that refuses. */
const LAYER_MARK: Record<StoreLayer, string> = {
  kubernetes: "· policy",
  "security-group": "· group",
  "route-out": "· route",
  peering: "· peering",
  "route-back": "· route back",
};

/** The namespace × store table: one row per area namespace, one column per store. */
export function storeAccessBlocks(answers: readonly StoreAccessAnswer[]): Block[] {
  if (answers.length === 0) return [];
  const phases = Object.fromEntries(answers.map((a) => [a.store ?? "", a.storePhase]));
  const stores = [...new Set(answers.map((a) => a.store ?? ""))];
  const namespaces = [...new Set(answers.map((a) => a.from.namespace))];
  const cell = new Map(answers.map((a) => [`${a.from.namespace} ${a.store}`, a]));
  return [
    { kind: "heading", level: 2, text: "Data stores: which namespace reaches which store" },
    {
      kind: "paragraph",
      text:
        "Each cell asks whether a pod of the namespace reaches the store on its first port through every layer: " +
        "the NetworkPolicies, the store's security group, the routes and the peering. `●` when it does; " +
        "otherwise the first layer that refuses. Stores in clients phase are marked *(clients)*. " +
        "`netseg explain --from <namespace> --to <store>` quotes the rule of each layer.",
    },
    {
      kind: "table",
      header: ["namespace ↓ store →", ...stores.map((s) => (phases[s] === "clients" ? `${s} (clients)` : s))],
      rows: namespaces.map((ns) => [
        ns,
        ...stores.map((store) => {
          const answer = cell.get(`${ns} ${store}`);
          return !answer
            ? ""
            : answer.verdict === "allow"
              ? "●"
              : LAYER_MARK[answer.decidedBy ?? "kubernetes"];
        }),
      ]),
    },
  ];
}

export function reportBlocks(input: ReportInput): Block[] {
  const { summary, design } = input;
  const blocks: Block[] = [...introBlocks(input)];
  for (const table of summary.phases) {
    blocks.push({
      kind: "heading",
      level: 2,
      text: `Between areas: to namespaces in the ${table.phase} phase`,
    });
    blocks.push({
      kind: "table",
      header: [
        "from ↓ to →",
        ...table.columns.map((c) => `${c.area} ${c.endpoint ? "endpoint pods" : "other pods"}`),
      ],
      rows: summary.rows.map((row, r) => [row.name, ...table.cells[r]!.map(tallyText)]),
      align: ["left", ...table.columns.map(() => "center" as const)],
    });
  }
  blocks.push({ kind: "heading", level: 2, text: "Between namespaces" });
  blocks.push(...namespaceBlocks(summary));
  blocks.push(...outsideBlocks(summary));
  blocks.push(...controllerBlocks(summary));
  blocks.push(...storeAccessBlocks(input.storeAccess ?? []));
  blocks.push({ kind: "heading", level: 2, text: "Design check" });
  blocks.push(...designBlocks(design));
  if (input.tenantProof) {
    blocks.push({ kind: "heading", level: 2, text: "Tenant-proof" });
    blocks.push(...tenantProofBlocks(input.tenantProof));
  }
  return blocks;
}

/** The title, what was evaluated, the heat map, and how to read a cell. */
function introBlocks({ stack, phase, summary, design }: ReportInput): Block[] {
  const byArea = new Map<string, number>();
  for (const ns of summary.namespaces) byArea.set(ns.area, (byArea.get(ns.area) ?? 0) + 1);
  const areas = [...byArea].map(([area, n]) => `${area} ${n}`).join(", ");
  return [
    { kind: "heading", level: 1, text: `Reachability: stack \`${stack}\`` },
    {
      kind: "paragraph",
      text:
        `Phase \`${phase}\`; ${count(summary.namespaces.length, "area namespace")} (${areas}). ` +
        `${summary.connections.evaluated.toLocaleString("en")} connections evaluated with Kubernetes ` +
        `NetworkPolicy semantics, ${summary.connections.allowed.toLocaleString("en")} allowed. ` +
        designSentence(design),
    },
    { kind: "picture", src: "reachability.svg", alt: `Heat map of who reaches whom in ${stack}` },
    {
      kind: "paragraph",
      text:
        'Every area namespace holds two stand-in pods: `<namespace>/endpoint`, labelled `endpoint: "true"`, ' +
        "and `<namespace>/worker`, both serving " +
        `${portText(SERVICE)}. The other roles are \`ingress-<area>/controller\`, the tools' pods, ` +
        "`kube-system/coredns` and `default/stranger` (a namespace without an area). A cell counts " +
        "connections between pods, never a pod and itself: `allow` when all of them are allowed, `deny` when " +
        "none is, `k/n` when k of n are. `netseg explain` tells why for any one of them.",
    },
  ];
}

/** Each area's egress out of the cluster, then cluster DNS and the tools, with the ports reached. */
function outsideBlocks(summary: ReachabilitySummary): Block[] {
  const outside = summary.egress[0]?.cells.map((c) => c.destination) ?? [];
  const blocks: Block[] = [
    { kind: "heading", level: 2, text: "Out of the cluster" },
    {
      kind: "paragraph",
      text: "Egress of every pod of an area's namespaces, by destination, with the ports they reach.",
    },
    {
      kind: "table",
      header: [
        "from ↓ to →",
        ...outside.map((d) => ("ip" in d.endpoint ? `${d.label} (${d.endpoint.ip})` : d.label)),
      ],
      rows: summary.egress.map((row) => [row.area, ...row.cells.map((c) => portsCellText(c.cell))]),
    },
  ];
  for (const service of summary.services) {
    blocks.push({ kind: "heading", level: 2, text: service.title });
    blocks.push({
      kind: "table",
      header: [
        "from ↓ to →",
        ...service.destinations.map((d) => `${d.label} (${d.ports.map(portText).join(", ")})`),
      ],
      rows: service.rows.map((row) => [row.group.name, ...row.cells.map(portsCellText)]),
    });
  }
  return blocks;
}

/** Per controller: who reaches its ports, and what it reaches. */
function controllerBlocks(summary: ReachabilitySummary): Block[] {
  const blocks: Block[] = [{ kind: "heading", level: 2, text: "Ingress controllers" }];
  for (const controller of summary.controllers) {
    blocks.push({ kind: "heading", level: 3, text: `\`${controller.controller.key}\` (${controller.area})` });
    blocks.push({
      kind: "table",
      header: ["from", `to ${controller.controller.ports.map(portText).join(", ")}`],
      rows: controller.inbound.map((row) => [row.group.name, portsCellText(row.cell)]),
    });
    blocks.push({
      kind: "table",
      header: ["to", "reached"],
      rows: controller.outbound.map((row) => [row.name, portsCellText(row.cell)]),
    });
  }
  return blocks;
}

/** Groups of exposed cells shown in the report; the rest are counted. */
const EXPOSED_GROUPS_SHOWN = 60;

export function tenantProofSentence(report: TenantProofReport): string {
  return (
    `${report.proof.toLocaleString("en")} of ${count(report.forbidden, "forbidden cell")} stay denied when ${report.adversary}` +
    (report.exposedCount > 0
      ? `; ${count(report.exposedCount, "cell")} hold only while teams behave${
          report.broken.length > 0
            ? `, **${count(report.broken.length, "cell")} the cluster tier should hold**`
            : ""
        }.`
      : ".")
  );
}

export function tenantProofTable(report: TenantProofReport): { header: string[]; rows: string[][] } {
  const broken = new Set(report.brokenGroups);
  return {
    header: ["section", "from", "to", "port", "design rule", "cells", "tier should hold"],
    rows: report.exposed
      .slice(0, EXPOSED_GROUPS_SHOWN)
      .map((group) => [
        group.section,
        group.from,
        group.to,
        `${group.port}/${group.protocol}`,
        group.rule,
        String(group.count),
        broken.has(group) ? "yes" : "",
      ]),
  };
}

function tenantProofBlocks(report: TenantProofReport): Block[] {
  const blocks: Block[] = [
    { kind: "paragraph", text: `${tenantProofSentence(report)} (\`netseg verify\` lists them.)` },
  ];
  if (report.exposed.length > 0) {
    blocks.push({
      kind: "paragraph",
      text: "Each row stands for its cells: the same kind of source and destination, named by one example.",
    });
    blocks.push({ kind: "table", ...tenantProofTable(report) });
    if (report.exposed.length > EXPOSED_GROUPS_SHOWN) {
      blocks.push({
        kind: "paragraph",
        text: `… and ${report.exposed.length - EXPOSED_GROUPS_SHOWN} more groups.`,
      });
    }
  }
  return blocks;
}

function designSentence(design: DesignReport): string {
  const cells = design.cellCount.toLocaleString("en");
  return design.violations.length === 0
    ? `Design check: ${cells} cells, no violations.`
    : `Design check: ${cells} cells, **${count(design.violations.length, "violation")}**.`;
}

export function designBlocks(design: DesignReport): Block[] {
  const rows = SECTIONS.map((section) => {
    const groups = design.groups.filter((c) => c.section === section);
    const cells = (test: (group: DesignCellGroup) => boolean) =>
      String(groups.filter(test).reduce((sum, group) => sum + group.count, 0));
    const violations = design.violations.filter((v) => v.section === section).length;
    return [
      section,
      cells(() => true),
      cells((c) => c.expected === "allow"),
      cells((c) => c.expected === "deny"),
      String(violations),
    ];
  });
  const blocks: Block[] = [
    {
      kind: "paragraph",
      text:
        "Every cell of the design's tables (DESIGN.md sections 2 and 4), decided by the evaluator over the " +
        "rendered policies and compared with what the area rules say must hold.",
    },
    {
      kind: "table",
      header: ["section", "cells", "expected allow", "expected deny", "violations"],
      rows,
      align: ["left", "right", "right", "right", "right"],
    },
  ];
  if (design.violations.length > 0) {
    blocks.push({ kind: "table", ...violationTable(design.violations) });
  }
  return blocks;
}

export function violationTable(violations: readonly Violation[]): { header: string[]; rows: string[][] } {
  return {
    header: ["section", "from", "to", "port", "expected", "actual", "design rule", "decided by"],
    rows: violations.map((v) => [
      v.section,
      v.from,
      v.to,
      `${v.port}/${v.protocol}`,
      v.expected,
      v.actual,
      v.rule,
      v.decidedBy,
    ]),
  };
}

function namespaceBlocks(summary: ReachabilitySummary): Block[] {
  const namespaces = summary.namespaces;
  const legend =
    `On ${portText(SERVICE)}, from the namespace of the row to the namespace of the column: ` +
    `${CELL_MARK.allow} every pod, ${CELL_MARK["endpoint-only"]} endpoint pods only, ` +
    `${CELL_MARK.partial} some pods, ${CELL_MARK.deny} none. Namespaces marked * are in the strict phase.`;
  if (namespaces.length <= NAMESPACE_TABLE_LIMIT) {
    return [
      { kind: "paragraph", text: legend },
      {
        kind: "table",
        header: ["#", "from ↓ to →", ...namespaces.map((_, i) => String(i + 1))],
        rows: namespaces.map((from, r) => [
          String(r + 1),
          `${from.name} (${from.area})${from.phase === "strict" ? " *" : ""}`,
          ...namespaces.map((_, c) => CELL_MARK[summary.namespaceCell(r, c)]),
        ]),
        align: ["right", "left", ...namespaces.map(() => "center" as const)],
      },
    ];
  }
  // Too many columns for a table: per namespace, which namespaces it reaches, by kind of cell.
  const rows = namespaces.map((from, r) => {
    const tally = summary.namespaceTally(r);
    return [
      `${from.name} (${from.area})${from.phase === "strict" ? " *" : ""}`,
      String(tally.allow),
      String(tally["endpoint-only"]),
      String(tally.partial),
      String(tally.deny),
    ];
  });
  return [
    {
      kind: "paragraph",
      text:
        `${namespaces.length} namespaces are too many for a grid (more than ${NAMESPACE_TABLE_LIMIT}` +
        `${namespaces.length > NAMESPACE_GRID_LIMIT ? ", and the picture leaves its grid out too" : "; the picture has it"}). ` +
        `How many namespaces each one reaches on ${portText(SERVICE)}; the areas above hold the rules.`,
    },
    {
      kind: "table",
      header: ["from", "every pod", "endpoint pods only", "some pods", "none"],
      rows,
      align: ["left", "right", "right", "right", "right"],
    },
  ];
}
