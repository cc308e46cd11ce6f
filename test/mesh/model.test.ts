/**
 * The mesh's config and plan, without Pulumi: which namespaces are meshed, what they are annotated with,
 * and that the Linkerd rules are the area rules of model/areas.ts.
 */
import assert from "node:assert/strict";
import type { AuthorizationPolicyObject, LinkerdObject } from "../../core/linkerd";
import { AREA_RULES, AREAS } from "../../model/areas";
import { checkConfig, parseConfig, type SegmentationConfig } from "../../model/config";
import { planMesh, SHARED_AUTHENTICATION } from "../../model/mesh/plan";
import { planNamespaces } from "../../model/namespaces";
import { rawConfigOf } from "../../model/stackFile";
import { editedConfig } from "../support/stack";
import { DEV } from "../support/stackCounts";

function meshed(mesh: unknown, edit: (values: Record<string, any>) => void = () => {}): SegmentationConfig {
  return parseConfig(
    rawConfigOf(
      editedConfig((values) => {
        values.mesh = mesh;
        edit(values);
      }),
    ),
  );
}

const policies = (objects: readonly LinkerdObject[], namespace: string) =>
  objects.filter(
    (o): o is AuthorizationPolicyObject =>
      o.kind === "AuthorizationPolicy" && o.metadata.namespace === namespace,
  );

describe("the mesh setting", () => {
  it("leaves every namespace unmeshed and renders nothing by default", () => {
    const config = parseConfig(rawConfigOf(editedConfig(() => {})));
    assert.deepEqual(config.mesh.namespaces, {});
    assert.equal(planMesh(config).length, 0);
    const namespaces = planNamespaces(config);
    // The area namespaces, each area's controller's and the tools'.
    assert.equal(namespaces.length, DEV.namespaces + AREAS.length + DEV.tools);
    for (const ns of namespaces) assert.deepEqual(ns.annotations, {}, ns.name);
  });

  it("meshes every managed namespace with the stack's phase, and lets namespaces override it", () => {
    const config = meshed({ phase: "migration", namespaces: { payments: "strict", sherlock: "off" } });
    assert.equal(config.mesh.namespaces.payments, "strict");
    assert.equal(config.mesh.namespaces.ebo, "migration");
    assert.equal(config.mesh.namespaces["ingress-backoffice"], "migration");
    assert.equal(config.mesh.namespaces.monitoring, "migration");
    assert.equal(config.mesh.namespaces.sherlock, undefined);
  });

  it("annotates meshed namespaces for injection, with deny in strict and audit in migration", () => {
    const config = meshed({ phase: "migration", namespaces: { payments: "strict", sherlock: "off" } });
    const byName = new Map(planNamespaces(config).map((ns) => [ns.name, ns.annotations]));
    assert.deepEqual(byName.get("payments"), {
      "linkerd.io/inject": "enabled",
      "config.linkerd.io/default-inbound-policy": "deny",
    });
    assert.equal(byName.get("ebo")?.["config.linkerd.io/default-inbound-policy"], "audit");
    assert.deepEqual(byName.get("sherlock"), {});
    // The load balancer reaches the controller's entry points and health port without the proxy.
    assert.equal(
      byName.get("ingress-internalservices")?.["config.linkerd.io/skip-inbound-ports"],
      "8000,8443,8080",
    );
  });

  it("refuses an override for a namespace the stack does not manage, naming the path and the fix", () => {
    const { issues } = checkConfig(
      rawConfigOf(
        editedConfig((values) => (values.mesh = { namespaces: { paymnets: "strict", vault: "off" } })),
      ),
    );
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.equal(issues[0]!.path, "segmentation:mesh.namespaces.paymnets");
    assert.match(issues[0]!.problem, /not a namespace the stack manages/);
    assert.match(issues[0]!.fix, /segmentation:namespaces/);
  });

  it("refuses a phase that is not one of the mesh's", () => {
    const { issues } = checkConfig(
      rawConfigOf(editedConfig((values) => (values.mesh = { namespaces: { ebo: "often" } }))),
    );
    assert.equal(issues.length, 1, JSON.stringify(issues));
    assert.equal(issues[0]!.path, "segmentation:mesh.namespaces.ebo");
    assert.match(issues[0]!.fix, /off, migration, strict/);
  });
});

describe("the mesh plan", () => {
  it("admits exactly the namespaces of the areas the area rules name, in each phase", () => {
    for (const phase of ["migration", "strict"] as const) {
      const config = meshed({ phase: "strict" }, (values) => (values.phase = phase));
      const objects = planMesh(config).map((spec) => spec.object);
      const areaOf = new Map(config.namespaces.map((ns) => [ns.name, ns.area]));
      const shared = new Map(
        objects
          .filter((o) => o.kind === "MeshTLSAuthentication" && o.metadata.namespace === "linkerd")
          .map((o) => [o.metadata.name, o]),
      );
      assert.equal(config.namespaces.length, DEV.namespaces);
      for (const ns of config.namespaces) {
        const areaRules = policies(objects, ns.name).filter((p) =>
          p.metadata.name.startsWith("netseg-areas"),
        );
        assert.ok(areaRules.length > 0, ns.name);
        for (const policy of areaRules) {
          const [ref] = policy.spec.requiredAuthenticationRefs;
          const authentication = shared.get(ref?.name ?? "");
          assert.ok(
            authentication?.kind === "MeshTLSAuthentication" && "identityRefs" in authentication.spec,
          );
          const admitted = new Set(
            authentication.spec.identityRefs.map((id) => areaOf.get(id.namespace ?? "")),
          );
          const rule = AREA_RULES[ns.area];
          const expected = ns.phase === "strict" ? rule.strictIngressFrom : rule.migrationIngressFrom;
          assert.deepEqual([...admitted].sort(), [...expected].sort(), `${ns.name} (${phase})`);
        }
      }
    }
  });

  it("keeps every object of a namespace, by name, when it moves to another area", () => {
    const names = (config: SegmentationConfig) =>
      planMesh(config)
        .filter((spec) => spec.namespace === "ebo")
        .map((spec) => spec.resourceName);
    const before = meshed({ phase: "strict" });
    const after = meshed(
      { phase: "strict" },
      (values) => (values.namespaces.ebo = { area: "internalservices" }),
    );
    assert.equal(after.namespaces.find((ns) => ns.name === "ebo")?.area, "internalservices");
    assert.ok(names(before).length >= 8);
    assert.deepEqual(names(after), names(before));
  });

  it("targets only the endpoint Servers in the strict phase, monitoring excepted", () => {
    const config = meshed({ phase: "strict" }, (values) => (values.phase = "strict"));
    const objects = planMesh(config).map((spec) => spec.object);
    const payments = policies(objects, "payments");
    assert.equal(payments.length, 4);
    for (const policy of payments) {
      const { targetRef } = policy.spec;
      if (policy.metadata.name === "netseg-monitoring")
        assert.deepEqual(targetRef, { kind: "Namespace", name: "payments" });
      else assert.equal(targetRef.name, "netseg-http-endpoint", policy.metadata.name);
    }
    // The workaround namespace keeps the internalservices controller.
    assert.deepEqual(payments.map((p) => p.metadata.name).sort(), [
      "netseg-areas-http-endpoint",
      "netseg-controller-http-endpoint",
      "netseg-controller-internalservices-http-endpoint",
      "netseg-monitoring",
    ]);
  });

  it("keeps the objects per namespace constant and the shared ones in the control plane's namespace", () => {
    const small = meshed({ phase: "strict" });
    const large = meshed({ phase: "strict" }, (values) => {
      for (let i = 0; i < 200; i++) values.namespaces[`team-${i}`] = { area: "backoffice" };
    });
    const perNamespace = (config: SegmentationConfig, name: string) =>
      planMesh(config).filter((spec) => spec.namespace === name).length;
    assert.equal(perNamespace(large, "ebo"), perNamespace(small, "ebo"));
    assert.equal(perNamespace(large, "linkerd"), perNamespace(small, "linkerd"));
    const backoffice = planMesh(large).find(
      (spec) =>
        spec.namespace === "linkerd" &&
        spec.object.metadata.name === SHARED_AUTHENTICATION.area("backoffice"),
    )?.object;
    assert.ok(backoffice && backoffice.kind === "MeshTLSAuthentication" && "identityRefs" in backoffice.spec);
    assert.equal(backoffice.spec.identityRefs.length, 210);
  });

  it("has every Server wait for the authorizations of its namespace", () => {
    const specs = planMesh(meshed({ phase: "strict" }));
    const servers = specs.filter((spec) => spec.object.kind === "Server");
    assert.ok(servers.length > 60);
    for (const server of servers) {
      const authorizations = specs
        .filter((spec) => spec.namespace === server.namespace && spec.object.kind === "AuthorizationPolicy")
        .map((spec) => spec.resourceName);
      assert.ok(authorizations.length > 0, server.resourceName);
      for (const name of authorizations)
        assert.ok(server.after.includes(name), `${server.resourceName} after ${name}`);
    }
  });
});
