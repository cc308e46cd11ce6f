import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, parse as parseYaml } from "yaml";
import type { PlanFile } from "../../cli/plan/files";
import { readPlanDirectory, writePlanDirectory } from "../../cli/plan/files";
import type { Plan } from "../../cli/plan/plan";
import { AREAS } from "../../model/areas";
import { DEV } from "../support/stackCounts";
import { devPlan, devRendered } from "./plans";

function file(files: readonly PlanFile[], path: string): string {
  const found = files.find((f) => f.path === path);
  assert.ok(found, `no ${path} among ${files.map((f) => f.path).join(", ")}`);
  return found.content;
}

describe("the plan directory", () => {
  let plan: Plan;
  let files: PlanFile[];
  before(async () => {
    plan = await devPlan();
    files = (await devRendered()).files;
  });

  it("puts every namespaced object in its namespace's file, the Namespace first", () => {
    const namespaces = plan.manifests.filter((m) => m.kind === "Namespace").map((m) => m.metadata.name!);
    // The area namespaces, each area's controller's and the tools'.
    assert.equal(namespaces.length, DEV.namespaces + AREAS.length + DEV.tools);
    for (const namespace of namespaces) {
      const objects = parseAllDocuments(file(files, `kubernetes/${namespace}.yaml`)).map((d) => d.toJS());
      assert.equal(objects[0].kind, "Namespace");
      assert.equal(objects[0].metadata.name, namespace);
      assert.ok(objects.slice(1).every((o) => o.metadata.namespace === namespace));
      const expected = plan.manifests.filter((m) => m.metadata.namespace === namespace).length;
      assert.equal(objects.length, expected + 1, namespace);
    }
  });

  it("puts the cluster-scoped objects, and only those, in cluster.yaml", () => {
    const objects = parseAllDocuments(file(files, "kubernetes/cluster.yaml")).map((d) => d.toJS());
    const kinds = new Set(objects.map((o) => o.kind));
    for (const kind of ["IngressClass", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]) {
      assert.ok(kinds.has(kind), kind);
    }
    assert.ok(objects.every((o) => o.metadata.namespace === undefined && o.kind !== "Namespace"));
    const yamlObjects = files
      .filter((f) => f.path.startsWith("kubernetes/"))
      .flatMap((f) => parseAllDocuments(f.content));
    assert.equal(yamlObjects.length, plan.manifests.length);
  });

  it("writes each Helm chart's identity and values, which mocks cannot expand", () => {
    const charts = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v4:Chart");
    assert.equal(charts.length, 3);
    for (const chart of charts) {
      const release = parseYaml(file(files, `helm/${chart.inputs.name}.yaml`));
      assert.deepEqual(
        {
          chart: release.chart,
          version: release.version,
          namespace: release.namespace,
          values: release.values,
        },
        {
          chart: chart.inputs.chart,
          version: chart.inputs.version,
          namespace: chart.inputs.namespace,
          values: chart.inputs.values,
        },
      );
      assert.equal(release.repository, (chart.inputs.repositoryOpts as { repo: string }).repo);
    }
  });

  it("lists every AWS and EKS resource with its provider and options, and nothing else", () => {
    const aws = JSON.parse(file(files, "aws/resources.json")) as {
      urn: string;
      type: string;
      options: unknown;
    }[];
    const expected = plan.resources.filter((r) => /^(aws|eks):|^pulumi:providers:aws$/.test(r.type));
    assert.deepEqual(aws.map((r) => r.urn).sort(), expected.map((r) => r.urn).sort());
    const peering = aws.find((r) => r.type === "aws:ec2/vpcPeeringConnection:VpcPeeringConnection");
    assert.ok(peering, "a peering among the AWS resources");
    assert.equal((peering.options as { protect: boolean }).protect, true);
  });

  it("reads back as the same plan: config, objects and resources", () => {
    const dir = mkdtempSync(join(tmpdir(), "netseg-plan-files-"));
    try {
      writePlanDirectory(join(dir, "plan"), files);
      const read = readPlanDirectory(join(dir, "plan"));
      assert.equal(read.stack, "dev");
      assert.deepEqual(read.config, plan.config);
      assert.deepEqual(read.outputs, JSON.parse(JSON.stringify(plan.outputs)));
      assert.deepEqual(
        read.resources.map((r) => r.urn),
        plan.resources.map((r) => r.urn),
      );
      const key = (m: { kind: string; metadata: { namespace?: string; name?: string } }) =>
        `${m.kind} ${m.metadata.namespace ?? ""}/${m.metadata.name}`;
      const byKey = new Map(plan.manifests.map((m) => [key(m), m]));
      assert.equal(read.manifests.length, plan.manifests.length);
      for (const manifest of read.manifests)
        assert.deepEqual(manifest, byKey.get(key(manifest)), key(manifest));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("replaces an earlier plan, leaving no stale file behind", () => {
    const dir = mkdtempSync(join(tmpdir(), "netseg-plan-files-"));
    try {
      writePlanDirectory(dir, [...files, { path: "kubernetes/gone.yaml", content: "kind: Namespace\n" }]);
      writePlanDirectory(dir, files);
      assert.ok(!existsSync(join(dir, "kubernetes", "gone.yaml")));
      assert.ok(existsSync(join(dir, "kubernetes", "payments.yaml")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses to empty a directory that holds something other than a plan", () => {
    const dir = mkdtempSync(join(tmpdir(), "netseg-plan-files-"));
    try {
      writePlanDirectory(dir, [{ path: "notes.txt", content: "mine" }]);
      assert.throws(() => writePlanDirectory(dir, files), /is not empty and holds no plan/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
