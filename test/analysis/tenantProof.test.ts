/**
 * Tenant-proof: the design check rerun with the widest policies a team could add in its own namespace
 * (ingress from everywhere; egress to everywhere, or as wide as admission admits). In cluster-tier mode no
 * cross-area, other-VPC, metadata or controller-bypass cell may open; in NetworkPolicy mode the report names
 * what stays exposed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkDesign } from "../../analysis/design";
import type { PlannedObjects } from "../../analysis/estate";
import { adversarialPolicies, cellKey, checkTenantProof, lostTenantProof } from "../../analysis/tenantProof";
import { estateConfig } from "../../bench/estate";
import { manifestsOf, plannedObjects } from "../../cli/manifests";
import { diffMarkdown } from "../../cli/plan/diff";
import { EXPOSED_CELLS_LISTED, tenantProofText } from "../../cli/plan/verify";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { PROJECT, rawConfigOf, readStackFile } from "../../model/stackFile";
import { devConfig, devRun, editedConfig, ROOT, runStack } from "../support/stack";

/** A shipped stack's config with `edit` applied to its decoded values (keys without the project prefix). */
function editedStackConfig(
  stack: string,
  edit: (values: Record<string, any>) => void,
): Record<string, string> {
  const config = readStackFile(join(ROOT, `Pulumi.${stack}.yaml`)).config;
  const values: Record<string, any> = {};
  for (const [key, text] of Object.entries(config)) {
    if (!key.startsWith(`${PROJECT}:`)) continue;
    values[key.slice(PROJECT.length + 1)] = /^[[{]/.test(text) ? JSON.parse(text) : text;
  }
  edit(values);
  const out: Record<string, string> = { ...config };
  for (const [key, value] of Object.entries(values)) {
    out[`${PROJECT}:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

async function planOf(raw: Record<string, string>, reuseDev = false) {
  const run = reuseDev ? await devRun() : await runStack(raw);
  return { config: parseConfig(rawConfigOf(raw)), objects: plannedObjects(manifestsOf(run.resources)) };
}

const has = (cells: { from: string; to: string; port: number }[], from: string, to: string, port: number) =>
  cells.some((c) => c.from === from && c.to === to && c.port === port);

describe("tenant-proof", function () {
  this.timeout(300_000);
  let dev: { config: SegmentationConfig; objects: PlannedObjects };
  before(async () => {
    dev = await planOf(devConfig(), true);
  });

  it("adds an allow-everything ingress and egress policy to every area namespace", () => {
    const policies = adversarialPolicies(dev.config);
    assert.equal(policies.length, 2 * dev.config.namespaces.length);
    assert.ok(policies.every((p) => !p.metadata?.name?.startsWith("netseg-")));
  });

  it("in cluster-tier mode (dev), no team policy opens a cross-area, other-VPC, metadata or controller-bypass cell", () => {
    const report = checkTenantProof(dev.config, dev.objects);
    assert.equal(dev.config.policyMode, "clusterTier");
    assert.ok(report.forbidden > 1000, `${report.forbidden} forbidden cells`);
    assert.deepEqual(report.broken, []);
    // What stays open to a team is only inside its own area or from outside addresses.
    const cells = Array.from(report.exposedCells());
    assert.ok(cells.length > 0);
    assert.equal(cells.length, report.exposedCount);
    assert.ok(cells.every((c) => c.section === "ingress"));
    // Few enough to name: netseg verify lists each cell on a line of its own.
    assert.ok(report.exposedCount <= EXPOSED_CELLS_LISTED);
    const listed = tenantProofText(report)
      .split("\n")
      .filter((line) => line.startsWith("ingress "));
    assert.equal(listed.length, report.exposedCount);
    for (const [from, to, port] of [
      ["email-service/worker", "payments/worker", 8080], // internalservices → backoffice
      ["default/stranger", "payments/endpoint", 8080], // no area
      ["api/worker", "ingress-backoffice/controller", 8443], // past the NLB allowlist
      ["api/worker", "ingress-publicfrontal/controller", 8443], // past the WAF
      ["api/worker", "169.254.169.254", 80], // instance metadata
    ] as const) {
      assert.ok(!has(Array.from(report.exposedCells()), from, to, port), `${from} → ${to} opens`);
    }
  });

  it("in cluster-tier mode, the measured path stays shut: publicfrontal pods reach no backoffice database", () => {
    // A team's `podSelector: {}` with egress to 10.0.0.0/8 (the adversary's egress is wider still).
    const attacked = checkDesign(dev.config, {
      ...dev.objects,
      policies: [...dev.objects.policies, ...adversarialPolicies(dev.config)],
    });
    const database = [...attacked.expandCells()].filter(
      (c) => c.section === "egress" && c.from.startsWith("api/") && c.rule.includes("backoffice VPC"),
    );
    // The design's egress table checks each namespace from its worker pod.
    assert.deepEqual(
      database.map((c) => c.from),
      ["api/worker"],
    );
    assert.ok(
      database.every((c) => c.actual === "deny"),
      JSON.stringify(database[0]),
    );
  });

  it("in NetworkPolicy mode without admission enforcing, names the cells a team can open, the measured ones included", async () => {
    const np = await planOf(editedConfig((v) => (v.policyMode = "networkPolicy")));
    const report = checkTenantProof(np.config, np.objects);
    assert.deepEqual(report.broken, [], "NetworkPolicy mode promises nothing a team cannot undo");
    assert.ok(report.proof < report.forbidden);
    const vpcAddress = (vpc: string) =>
      Array.from(report.exposedCells()).find(
        (c) => c.section === "egress" && c.from.startsWith("api/") && c.rule.includes(`→ ${vpc} VPC`),
      );
    assert.ok(vpcAddress("backoffice"), "publicfrontal → backoffice VPC is named");
    assert.ok(vpcAddress("natonly"), "publicfrontal → natonly VPC is named");
    assert.ok(has(Array.from(report.exposedCells()), "email-service/worker", "payments/worker", 8080));
  });

  it("in NetworkPolicy mode with admission denying, the egress bounds hold and the ingress ones are named", async () => {
    const np = await planOf(
      editedConfig((v) => {
        v.policyMode = "networkPolicy";
        v.labelIntegrity.enforcement = "deny";
      }),
    );
    const report = checkTenantProof(np.config, np.objects);
    assert.match(report.adversary, /as wide as admission lets through/);
    const egress = Array.from(report.exposedCells()).filter((c) => c.section === "egress");
    assert.deepEqual(egress.map(cellKey), []);
    assert.ok(has(Array.from(report.exposedCells()), "email-service/worker", "payments/worker", 8080));
  });

  it("fails when a bound is missing, and the diff names the cells that lose the property", () => {
    const withoutBackoffice: PlannedObjects = {
      ...dev.objects,
      clusterPolicies: (dev.objects.clusterPolicies ?? []).filter(
        (p) => p.metadata.name !== "netseg-area-backoffice",
      ),
    };
    assert.equal(withoutBackoffice.clusterPolicies!.length, (dev.objects.clusterPolicies ?? []).length - 1);
    const weakened = checkTenantProof(dev.config, withoutBackoffice);
    assert.ok(has(weakened.broken, "email-service/worker", "payments/worker", 8080));
    const lost = lostTenantProof(checkTenantProof(dev.config, dev.objects), weakened);
    assert.ok(has(lost, "email-service/worker", "payments/worker", 8080));
    assert.ok(
      lost.every((c) => c.to.startsWith("payments/") || c.to.includes("/") || c.section !== "ingress"),
    );
  });

  it("the PR diff names the cells that lose the property", () => {
    const withoutBackoffice: PlannedObjects = {
      ...dev.objects,
      clusterPolicies: (dev.objects.clusterPolicies ?? []).filter(
        (p) => p.metadata.name !== "netseg-area-backoffice",
      ),
    };
    const lost = lostTenantProof(
      checkTenantProof(dev.config, dev.objects),
      checkTenantProof(dev.config, withoutBackoffice),
    );
    const markdown = diffMarkdown({
      namespaces: [],
      changes: [],
      lines: [],
      evaluated: 0,
      resources: { added: [], removed: [], renamed: [], changed: [], total: 0 },
      tenantProofLost: lost,
    });
    assert.match(markdown, /#### Cells no longer tenant-proof/);
    assert.match(
      markdown,
      new RegExp(`\\*\\*${lost.length} forbidden cells\\*\\* that no team policy could open before`),
    );
    assert.match(markdown, /`email-service\/worker` → `payments\/worker` 8080\/TCP/);
  });

  for (const stack of ["dev", "staging", "prod"]) {
    it(`verify passes on the shipped ${stack} stack in both policy modes`, async () => {
      for (const mode of ["networkPolicy", "clusterTier"] as const) {
        const raw = editedStackConfig(stack, (v) => {
          v.policyMode = mode;
          if (mode === "clusterTier") v.cluster.vpcCni.addonVersion = "v1.21.1-eksbuild.1";
        });
        const plan = await planOf(raw);
        assert.deepEqual(checkDesign(plan.config, plan.objects).violations, [], `${stack} ${mode}`);
        assert.deepEqual(checkTenantProof(plan.config, plan.objects).broken, [], `${stack} ${mode}`);
      }
    });
  }

  it("finds the lost cells by looking each up in the other plan, as the direct comparison of both lists does", async () => {
    // Plans whose namespaces fall into different classes: NetworkPolicy mode against cluster-tier mode, a
    // generated estate against itself with namespaces moved and added, and a bound taken away.
    const small = await planOf(estateConfig(60));
    const moved = await planOf(
      (() => {
        const raw = estateConfig(64);
        const namespaces = JSON.parse(raw[`${PROJECT}:namespaces`]!);
        namespaces["team-00001"] = { area: "internalservices", phase: "strict" };
        namespaces["team-00002"] = { area: "publicfrontal" };
        return { ...raw, [`${PROJECT}:namespaces`]: JSON.stringify(namespaces) };
      })(),
    );
    const withoutTier = await planOf(
      editedConfig((values) => {
        delete values.cluster.vpcCni;
        values.policyMode = "networkPolicy";
      }),
    );
    const weakened: PlannedObjects = {
      ...dev.objects,
      clusterPolicies: (dev.objects.clusterPolicies ?? []).filter(
        (p) => !p.metadata.name.startsWith("netseg-area-"),
      ),
    };
    const direct = (base: ReturnType<typeof checkTenantProof>, head: ReturnType<typeof checkTenantProof>) => {
      const before = new Set(Array.from(base.exposedCells(), cellKey));
      return Array.from(head.exposedCells(), cellKey).filter((key) => !before.has(key));
    };
    const pairs = [
      [checkTenantProof(dev.config, dev.objects), checkTenantProof(withoutTier.config, withoutTier.objects)],
      [checkTenantProof(withoutTier.config, withoutTier.objects), checkTenantProof(dev.config, dev.objects)],
      [checkTenantProof(small.config, small.objects), checkTenantProof(moved.config, moved.objects)],
      [checkTenantProof(moved.config, moved.objects), checkTenantProof(small.config, small.objects)],
      [checkTenantProof(dev.config, dev.objects), checkTenantProof(dev.config, weakened)],
    ] as const;
    const sizes = pairs.map(([base, head]) => {
      const expected = direct(base, head);
      assert.deepEqual(lostTenantProof(base, head).map(cellKey), expected);
      return expected.length;
    });
    // Some comparisons lose cells and some lose none, so both answers are checked.
    assert.ok(sizes.some((n) => n > 100) && sizes.some((n) => n === 0), sizes.join(", "));
  });

  it("holds on a generated estate of 300 namespaces in cluster-tier mode", async () => {
    const estate = await planOf(estateConfig(300));
    assert.equal(estate.config.namespaces.length, 300);
    const report = checkTenantProof(estate.config, estate.objects);
    assert.deepEqual(report.broken.slice(0, 3), []);
    assert.ok(report.proof > 10_000, `${report.proof} cells stay denied`);
    // Too many open cells to name one by one: verify lists the groups, each with how many cells it holds.
    assert.equal(Array.from(report.exposedCells()).length, report.exposedCount);
    assert.ok(report.exposedCount > EXPOSED_CELLS_LISTED, `${report.exposedCount} exposed cells`);
    const text = tenantProofText(report);
    assert.match(text, /groups of cells decided alike/);
    const rows = text.split("\n").filter((line) => /^\d+ +(ingress|egress) /.test(line));
    assert.equal(rows.length, report.exposed.length);
    assert.equal(
      rows.reduce((sum, line) => sum + Number(line.split(" ")[0]), 0),
      report.exposedCount,
    );
    // The cluster tier does not grow with the estate: at most a controller, a workaround, a strict and an
    // area policy per area, and one for the tools.
    assert.ok(
      (estate.objects.clusterPolicies?.length ?? 0) <= 13,
      `${estate.objects.clusterPolicies?.length}`,
    );
  });
});
