import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkDesign } from "../../analysis/design";
import { reachabilityOf } from "../../analysis/reachability";
import { type ReachabilitySummary, summarise, type Tally } from "../../analysis/summary";
import { renderMarkdown } from "../../cli/plan/document";
import type { PlanFile } from "../../cli/plan/files";
import { heatMapSvg, NAMESPACE_GRID_LIMIT } from "../../cli/plan/heatmap";
import { reportBlocks } from "../../cli/plan/report";
import type { Namespace } from "../../core/k8s";
import { AREAS, type Area } from "../../model/areas";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { planKubernetes } from "../../model/kubernetes";
import { toNetworkPolicy } from "../../model/policy";
import { rawConfigOf } from "../../model/stackFile";
import {
  EGRESS,
  type EgressRow,
  MIGRATION_INGRESS,
  type SourceRow,
  STRICT_INGRESS,
} from "../support/designTables";
import { editedConfig, ROOT } from "../support/stack";
import { devPlan, devRendered } from "./plans";

/** The rows of the design's ingress tables a source group of the report stands for, towards area `to`. */
function designRows(group: string, to: Area): SourceRow[] {
  if ((AREAS as readonly string[]).includes(group)) {
    return group === to
      ? ["same namespace", "another namespace of the same area"]
      : [`a namespace in ${group}` as SourceRow];
  }
  if (group.startsWith("ingress-")) {
    return group === `ingress-${to}` ? ["A's own ingress controller"] : ["another area's ingress controller"];
  }
  if (group === "monitoring") return ["monitoring"];
  if (group === "no area") return ["a namespace with no area label"];
  if (group === "the internet") return ["an address outside the cluster"];
  throw new Error(`no design row for ${group}`);
}

/** A plan's objects straight from the model, without running Pulumi: enough for reachability. */
function modelObjects(config: SegmentationConfig) {
  const plans = planKubernetes(config);
  return {
    namespaces: plans.map(
      ({ namespace }): Namespace => ({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace.name, labels: { ...namespace.labels } },
      }),
    ),
    policies: plans.flatMap((p) => p.policies.map(toNetworkPolicy)),
  };
}

describe("the reachability report", () => {
  let summary: ReachabilitySummary;
  let files: PlanFile[];
  let config: SegmentationConfig;
  before(async () => {
    const rendered = await devRendered();
    summary = rendered.analysis.summary;
    files = rendered.files;
    config = (await devPlan()).config;
  });
  const content = (path: string) => files.find((f) => f.path === path)!.content;

  it("sums up area to area as the design's ingress tables say, per phase and kind of pod", () => {
    assert.deepEqual(
      summary.phases.map((t) => t.phase),
      ["migration", "strict"],
    );
    let checked = 0;
    for (const table of summary.phases) {
      table.columns.forEach((column, c) => {
        summary.rows.forEach((row, r) => {
          checked++;
          // Count what the design expects, namespace by namespace of the column (workarounds included).
          let allowed = 0;
          const destinations = config.namespaces.filter(
            (ns) => ns.area === column.area && ns.phase === table.phase,
          );
          for (const ns of destinations) {
            const workaround =
              row.name.startsWith("ingress-") &&
              ns.extraIngressControllers.includes(row.name.slice(8) as Area);
            const rows = workaround
              ? ["A's own ingress controller" as SourceRow]
              : designRows(row.name, column.area);
            const cells = rows.map((name) =>
              table.phase === "migration"
                ? MIGRATION_INGRESS[name][column.area]
                : STRICT_INGRESS[name][column.area][column.endpoint ? 0 : 1],
            );
            if (cells.every((cell) => cell === "allow")) allowed++;
            else
              assert.ok(
                cells.every((cell) => cell === "deny"),
                `${row.name} → ${ns.name}: rows disagree`,
              );
          }
          const tally: Tally = table.cells[r]![c]!;
          const perNamespace = tally.total / destinations.length;
          assert.equal(
            tally.allowed,
            allowed * perNamespace,
            `${row.name} → ${column.area} ${column.endpoint ? "endpoint" : "other"} pods (${table.phase})`,
          );
        });
      });
    }
    // Rows: each area, each area's controller, monitoring, namespaces without an area and the internet.
    assert.equal(summary.rows.length, 2 * AREAS.length + 3);
    // Columns: endpoint and other pods of each area that has namespaces in the phase.
    const areasInPhase = summary.phases.flatMap(({ phase }) =>
      AREAS.filter((area) => config.namespaces.some((ns) => ns.area === area && ns.phase === phase)),
    );
    assert.equal(checked, summary.rows.length * 2 * areasInPhase.length);
  });

  it("sums up egress out of the cluster as the design's egress table says", () => {
    const rowOf = (key: string): EgressRow | undefined => {
      if (key === "internet") return "public IPs (internet)";
      if (key === "instance-metadata") return "instance metadata";
      if (key.startsWith("private:")) return "any other private address";
      const vpc = /^vpc:(.*)$/.exec(key)?.[1];
      return vpc === "kafka" ? "Kafka VPC CIDRs" : vpc ? (`${vpc} VPC CIDRs` as EgressRow) : undefined;
    };
    let checked = 0;
    for (const { area, cells } of summary.egress) {
      for (const { destination, cell } of cells) {
        const row = rowOf(destination.key);
        if (!row) continue;
        const https = cell.ports.find((p) => p.port.port === (row === "instance metadata" ? 80 : 443))!;
        const verdict =
          https.tally.allowed === https.tally.total ? "allow" : https.tally.allowed === 0 ? "deny" : "mixed";
        assert.equal(verdict, EGRESS[row][area], `${area} → ${destination.label}`);
        checked++;
      }
    }
    assert.ok(checked >= 3 * 8, `only ${checked} cells checked`);
  });

  it("shows the heat map in a self-contained SVG and HTML page, one cell per pair of namespaces", () => {
    const svg = content("reachability.svg");
    const html = content("reachability.html");
    for (const text of [svg, html]) {
      assert.doesNotMatch(text, /<script|<link|\bsrc=|href=|@import|url\(/i);
      assert.deepEqual(text.match(/https?:\/\/[^"\s]+/g) ?? [], ["http://www.w3.org/2000/svg"]);
    }
    assert.ok(html.includes(svg.trim()), "the page embeds the picture");
    const n = summary.namespaces.length;
    const cells = svg.match(/<title>[^<]+ \([a-z]+\) → [^<]+ \([a-z]+\): [^<]+<\/title>/g) ?? [];
    assert.equal(cells.length, n * n);
    assert.ok(svg.includes("<title>sherlock (internalservices) → payments (backoffice): denied</title>"));
    assert.ok(
      svg.includes(
        "<title>payments (backoffice) → sherlock (internalservices): allowed to every pod</title>",
      ),
    );
    assert.ok(
      svg.includes("<title>payments (backoffice) → query-services (internalservices): denied</title>"),
    );
    assert.ok(
      svg.includes(
        "<title>sherlock (internalservices) → query-services (internalservices): allowed to endpoint pods only</title>",
      ),
    );
  });

  it("links the picture from the Markdown and reports the design check", () => {
    const markdown = content("reachability.md");
    assert.match(markdown, /!\[[^\]]+\]\(reachability\.svg\)/);
    assert.match(markdown, /Design check: [\d,]+ cells, no violations\./);
  });

  it("keeps the area panels and drops the namespace grid for a large estate", () => {
    const count = NAMESPACE_GRID_LIMIT + 3;
    const large = parseConfig(
      rawConfigOf(
        editedConfig((values) => {
          values.namespaces = Object.fromEntries(
            Array.from({ length: count }, (_, i) => [`team-${i}`, { area: AREAS[i % 3] }]),
          );
          // The dev stores' clients are dev's namespaces, which this estate replaces.
          for (const store of values.dataStores) store.clients = store.phase = undefined;
        }),
      ),
    );
    const objects = modelObjects(large);
    const r = reachabilityOf(large, objects);
    const big = summarise(r, large);
    const svg = heatMapSvg("large", big);
    assert.match(svg, /Between areas/);
    assert.doesNotMatch(svg, /Between namespaces/);
    assert.match(svg, new RegExp(`${count} namespaces: the namespace grid is left out`));
    const markdown = renderMarkdown(
      reportBlocks({ stack: "large", phase: "migration", summary: big, design: checkDesign(large, objects) }),
    );
    assert.match(markdown, /too many for a grid/);
    assert.ok(markdown.split("\n").some((line) => line.startsWith("| team-0 (publicfrontal) |")));
  });

  it("is committed under docs/ as netseg plan draws it for dev (npm run docs:plan redraws it)", () => {
    for (const name of ["reachability.svg", "reachability.md"]) {
      const path = join(ROOT, "docs", "dev", name);
      assert.ok(existsSync(path), `${path} is missing: run npm run docs:plan`);
      assert.equal(readFileSync(path, "utf8"), content(name), `${path} is stale: run npm run docs:plan`);
    }
  });
});
