import assert from "node:assert/strict";
import type { RecordedResource } from "../../cli/offline";
import { AREAS } from "../../model/areas";
import { kubernetesSchemaProblems } from "../support/kubernetesSchema";
import { devRun, editedConfig, runStack } from "../support/stack";
import { DEV } from "../support/stackCounts";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

function named(resources: RecordedResource[], type: string, name: string): RecordedResource {
  const found = resources.find((r) => r.type === type && r.name === name);
  assert.ok(found, `no ${type} named ${name}`);
  return found;
}

describe("namespaces and default policies under mocks", () => {
  let resources: RecordedResource[];
  before(async () => {
    resources = (await devRun()).resources;
  });

  it("protects every namespace and keeps it in the cluster when dropped from config", () => {
    const namespaces = resources.filter((r) => r.type === NAMESPACE);
    // The area namespaces, the tools' and each area's controller's.
    assert.equal(namespaces.length, DEV.namespaces + DEV.tools + AREAS.length);
    for (const ns of namespaces) {
      assert.equal(ns.options.protect, true, ns.name);
      assert.equal(ns.options.retainOnDelete, true, ns.name);
    }
  });

  it("puts the area label on area namespaces only", () => {
    const labels = (name: string) => (named(resources, NAMESPACE, name).inputs.metadata as any).labels;
    assert.equal(labels("payments").networkArea, "backoffice");
    assert.equal(labels("query-services").networkArea, "internalservices");
    assert.equal(labels("query-services")["netseg.dev/role"], "area");
    for (const platform of ["ingress-publicfrontal", "ingress-backoffice", "monitoring", "vault"]) {
      assert.equal(labels(platform).networkArea, undefined, platform);
      assert.match(labels(platform)["netseg.dev/role"], /^(tool|ingress-controller)$/, platform);
    }
  });

  it("declares each namespace's default-deny after all its allows", () => {
    const deny = named(resources, POLICY, "payments-netseg-default-deny");
    const allows = resources
      .filter((r) => r.type === POLICY && r.name.startsWith("payments-netseg-allow"))
      .map((r) => r.urn);
    assert.equal(allows.length, 3);
    for (const urn of allows)
      assert.ok(deny.options.dependsOn.includes(urn), `deny does not wait for ${urn}`);
  });

  it("puts every policy after its namespace, in its namespace", () => {
    const namespaceUrn = named(resources, NAMESPACE, "sherlock").urn;
    const policies = resources.filter(
      (r) => r.type === POLICY && (r.inputs.metadata as any).namespace === "sherlock",
    );
    // The four default policies, and the egress allow of sherlock-search, whose client it is
    assert.equal(policies.length, 5);
    for (const policy of policies) assert.ok(policy.options.dependsOn.includes(namespaceUrn), policy.name);
  });

  it("renders objects the Kubernetes API accepts", async () => {
    const objects = resources.filter((r) => r.type === NAMESPACE || r.type === POLICY);
    // At least each area namespace and its four default policies.
    assert.ok(objects.length >= 5 * DEV.namespaces, `${objects.length} objects`);
    for (const resource of objects) {
      const [apiVersion, kind] =
        resource.type === NAMESPACE ? ["v1", "Namespace"] : ["networking.k8s.io/v1", "NetworkPolicy"];
      const problems = await kubernetesSchemaProblems({ apiVersion, kind, ...resource.inputs });
      assert.deepEqual(problems, [], resource.name);
    }
  });

  it("moves a namespace between areas and phases without replacing it or its policies", async () => {
    // GIVEN payments in backoffice (the dev stack), and the same stack with payments in internalservices, strict
    const moved = await runStack(
      editedConfig((v) => {
        v.namespaces.payments = { area: "internalservices", phase: "strict" };
      }),
    );
    const urnsOf = (list: RecordedResource[]) =>
      list
        .filter((r) => r.urn.includes("payments"))
        .map((r) => r.urn)
        .sort();
    // THEN the namespace and its policies keep their URNs: the change is an in-place update
    assert.deepEqual(urnsOf(moved.resources), urnsOf(resources));
    const label = (list: RecordedResource[]) =>
      (named(list, NAMESPACE, "payments").inputs.metadata as any).labels.networkArea;
    assert.equal(label(resources), "backoffice");
    assert.equal(label(moved.resources), "internalservices");
  });
});
