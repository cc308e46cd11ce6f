/**
 * Both layers over the real program's output: the design matrix decided by the NetworkPolicies AND the
 * mesh, and the consistency check finding each mismatch a test introduces on purpose.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { PlannedObjects } from "../../analysis/estate";
import { checkMesh, type MeshFinding } from "../../analysis/mesh";
import { manifestsOf, plannedObjects } from "../../cli/manifests";
import { INJECT_ANNOTATION, LINKERD_API_VERSIONS, type LinkerdObject } from "../../core/linkerd";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { rawConfigOf, readStackFile } from "../../model/stackFile";
import { stackFiles } from "../policy/stackFiles";
import { devRun, editedConfig, ROOT, runStack } from "../support/stack";

interface Planned {
  config: SegmentationConfig;
  objects: PlannedObjects;
}

async function plan(raw: Record<string, string>): Promise<Planned> {
  const run = await runStack(raw);
  return { config: parseConfig(rawConfigOf(raw)), objects: plannedObjects(manifestsOf(run.resources)) };
}

function devWith(mesh: unknown, phase: "migration" | "strict"): Promise<Planned> {
  return plan(
    editedConfig((values) => {
      values.mesh = mesh;
      values.phase = phase;
    }),
  );
}

const ofKind = (findings: readonly MeshFinding[], kind: MeshFinding["kind"]) =>
  findings.filter((finding) => finding.kind === kind);

/** The design holds with both layers, and each layer on its own does its part. */
function assertDesignHolds(planned: Planned): void {
  const report = checkMesh(planned.config, planned.objects);
  assert.ok(report.enabled);
  assert.ok(report.cells.length > 2000, `${report.cells.length} cells`);
  assert.deepEqual(report.violations, []);
  assert.deepEqual(report.findings, []);
  assert.equal(report.auditOnly, 0);
  // The mesh really decided: most cells end at a meshed pod's proxy.
  const decided = report.cells.filter((cell) => cell.mesh.decision !== "not-meshed");
  assert.ok(decided.length > report.cells.length / 2, `${decided.length} decided by the mesh`);
  const phaseOf = (cell: { to: string }) => planned.config.mesh.namespaces[cell.to.split("/")[0]!];
  // In a strict namespace the mesh on its own says what the design says, between area pods.
  const strict = decided.filter((cell) => cell.section === "ingress" && phaseOf(cell) === "strict");
  assert.ok(strict.length > 100, `${strict.length} strict cells`);
  for (const cell of strict) {
    assert.equal(
      cell.mesh.allowed,
      cell.expected === "allow",
      `${cell.from} → ${cell.to}: ${cell.mesh.reason}`,
    );
  }
  // In a migration namespace audit refuses nothing, and what it flags is only what the design closes.
  const migration = decided.filter((cell) => phaseOf(cell) === "migration");
  const meshedInMigration = Object.values(planned.config.mesh.namespaces).includes("migration");
  assert.equal(migration.length > 0, meshedInMigration, `${migration.length} cells in migration namespaces`);
  for (const cell of migration) {
    assert.ok(cell.mesh.allowed, `${cell.from} → ${cell.to}`);
    if (cell.mesh.audit) assert.equal(cell.expected, "deny", `${cell.from} → ${cell.to}`);
  }
}

describe("the design matrix with both layers", () => {
  it("holds for dev in a rollout: every namespace meshed in migration, two of them strict", async () => {
    const planned = await devWith(
      { phase: "migration", namespaces: { "payments-query-service": "strict", "query-services": "strict" } },
      "migration",
    );
    assert.equal(planned.config.mesh.phase, "migration");
    assert.equal(Object.values(planned.config.mesh.namespaces).filter((p) => p === "strict").length, 2);
    assertDesignHolds(planned);
  });

  it("holds for dev with the mesh strict everywhere and the strict phase everywhere", async () => {
    const planned = await devWith({ phase: "strict" }, "strict");
    assert.equal(Object.values(planned.config.mesh.namespaces).filter((p) => p !== "strict").length, 0);
    assertDesignHolds(planned);
  });
});

describe("the consistency check between the layers", () => {
  let strict: Planned;
  before(async () => {
    strict = await devWith({ phase: "strict" }, "migration");
  });

  const withObjects = (edit: (objects: PlannedObjects) => PlannedObjects) =>
    checkMesh(strict.config, edit(structuredClone(strict.objects)));

  it("finds a flow the network allows and the mesh denies: a namespace of the area left unmeshed", () => {
    const report = withObjects((objects) => {
      const documents = objects.namespaces.find((ns) => ns.metadata?.name === "documents")!;
      delete documents.metadata!.annotations![INJECT_ANNOTATION];
      return objects;
    });
    const found = ofKind(report.findings, "layers-disagree");
    assert.ok(found.length > 0);
    assert.ok(
      found.every((f) => f.subject.startsWith("documents/")),
      JSON.stringify(found[0]),
    );
    assert.ok(found.some((f) => f.subject.startsWith("documents/worker → ebo/")));
    assert.match(
      found[0]!.detail,
      /NetworkPolicies allow it, mesh: no AuthorizationPolicy admits unmeshed documents\/(worker|endpoint)/,
    );
  });

  it("finds a flow the mesh allows and the network denies: an area policy deleted", () => {
    const report = withObjects((objects) => ({
      ...objects,
      policies: objects.policies.filter(
        (p) => !(p.metadata?.namespace === "ebo" && p.metadata?.name === "netseg-allow-ingress"),
      ),
    }));
    const found = ofKind(report.findings, "layers-disagree");
    assert.ok(found.length > 0);
    assert.ok(
      found.every((f) => / → ebo\//.test(f.subject)),
      JSON.stringify(found),
    );
    assert.match(found[0]!.detail, /NetworkPolicies deny it, mesh: Server ebo\/netseg-http-\w+ authorizes/);
  });

  it("finds a mesh rule that can never match because the network denies its clients", () => {
    const report = withObjects((objects) => ({
      ...objects,
      // ebo's ingress allows without their monitoring rule
      policies: objects.policies.map((p) =>
        p.metadata?.namespace === "ebo" && p.spec?.ingress
          ? {
              ...p,
              spec: {
                ...p.spec,
                ingress: p.spec.ingress.filter((rule) => !JSON.stringify(rule.from).includes('"monitoring"')),
              },
            }
          : p,
      ),
    }));
    const found = ofKind(report.findings, "mesh-rule-unreachable");
    assert.deepEqual(
      found.map((f) => f.subject),
      ["AuthorizationPolicy ebo/netseg-monitoring"],
    );
  });

  it("finds unauthenticated sources admitted to a strict namespace, by address or by a lax Server", () => {
    const networkRule: LinkerdObject[] = [
      {
        apiVersion: LINKERD_API_VERSIONS.NetworkAuthentication,
        kind: "NetworkAuthentication",
        metadata: { name: "vpc", namespace: "ebo" },
        spec: { networks: [{ cidr: "10.20.0.0/16" }] },
      },
      {
        apiVersion: LINKERD_API_VERSIONS.AuthorizationPolicy,
        kind: "AuthorizationPolicy",
        metadata: { name: "from-vpc", namespace: "ebo" },
        spec: {
          targetRef: { kind: "Namespace", name: "ebo" },
          requiredAuthenticationRefs: [{ kind: "NetworkAuthentication", name: "vpc" }],
        },
      },
    ];
    const report = withObjects((objects) => {
      // Also: documents unmeshed, and fxsuite's Servers open to anyone in the cluster.
      const documents = objects.namespaces.find((ns) => ns.metadata?.name === "documents")!;
      delete documents.metadata!.annotations![INJECT_ANNOTATION];
      for (const object of objects.linkerd!) {
        if (object.kind === "Server" && object.metadata.namespace === "fxsuite") {
          object.spec.accessPolicy = "cluster-unauthenticated";
        }
      }
      return { ...objects, linkerd: [...objects.linkerd!, ...networkRule] };
    });
    const found = ofKind(report.findings, "unauthenticated-admitted");
    assert.ok(
      found.some((f) => f.subject === "AuthorizationPolicy ebo/from-vpc"),
      JSON.stringify(found),
    );
    assert.ok(found.some((f) => f.subject.startsWith("documents/worker → fxsuite/")));
    // The address-based rule lets documents into ebo too, so that flow is no longer a disagreement.
    assert.ok(ofKind(report.findings, "layers-disagree").every((f) => !/ → (ebo|fxsuite)\//.test(f.subject)));
  });

  it("holds the design for dev with the mesh strict everywhere and the migration phase", () => {
    assertDesignHolds(strict);
  });

  it("reports nothing on the stacks as shipped, which keep the mesh off", async () => {
    const files = stackFiles();
    assert.equal(files.length, 3);
    for (const file of files) {
      const raw = readStackFile(join(ROOT, file)).config;
      const config = parseConfig(rawConfigOf(raw));
      const run = file === "Pulumi.dev.yaml" ? await devRun() : await runStack(raw);
      const objects = plannedObjects(manifestsOf(run.resources));
      assert.equal(objects.linkerd?.length, 0, file);
      const report = checkMesh(config, objects);
      assert.equal(report.enabled, false, file);
      assert.deepEqual(report.findings, [], file);
    }
  });
});
