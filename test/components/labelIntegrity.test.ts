import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedResource } from "../../cli/offline";
import type { AdmissionPolicy } from "../../model/labelIntegrity";
import { type AdmissionRequest, admit } from "../support/celAdmission";
import { kubernetesSchemaProblems } from "../support/kubernetesSchema";
import { devRun, editedConfig, ROOT, runStack } from "../support/stack";

const COMPONENT = "segmentation:kubernetes:LabelIntegrity";
const POLICY = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy";
const BINDING = "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding";

/** Dev's guards: namespace labels and default policies (tenant egress is guarded in NetworkPolicy mode only). */
const GUARDS = 2;

const ofType = (resources: RecordedResource[], type: string) => resources.filter((r) => r.type === type);
const nameOf = (resource: RecordedResource) => (resource.inputs.metadata as { name: string }).name;
const specOf = (resource: RecordedResource) => resource.inputs.spec as any;

function policyNamed(resources: RecordedResource[], name: string): RecordedResource {
  const found = ofType(resources, POLICY).find((r) => nameOf(r) === name);
  assert.ok(found, `no ValidatingAdmissionPolicy ${name}`);
  return found;
}

function bindingOf(resources: RecordedResource[], policyName: string): RecordedResource {
  const found = ofType(resources, BINDING).filter((r) => specOf(r).policyName === policyName);
  assert.equal(found.length, 1, `bindings of ${policyName}`);
  return found[0]!;
}

describe("label integrity under mocks", () => {
  let resources: RecordedResource[];
  let outputs: Awaited<ReturnType<typeof runStack>>["outputs"];
  before(async () => {
    ({ resources, outputs } = await devRun());
  });

  it("declares one policy and one binding per guard, under one component", () => {
    const [component] = ofType(resources, COMPONENT);
    assert.ok(component);
    const children = [...ofType(resources, POLICY), ...ofType(resources, BINDING)];
    assert.equal(children.length, 2 * GUARDS);
    for (const child of children) assert.equal(child.parent, component.urn, child.name);
    assert.deepEqual(
      ofType(resources, POLICY)
        .map((r) => r.name)
        .sort(),
      ["label-integrity-default-policies", "label-integrity-namespace-labels"],
    );
  });

  it("creates each binding after the policy it names", () => {
    const policies = ofType(resources, POLICY);
    assert.equal(policies.length, GUARDS);
    for (const policy of policies) {
      const binding = bindingOf(resources, nameOf(policy));
      assert.ok(binding.options.dependsOn.includes(policy.urn), binding.name);
    }
  });

  it("matches namespace creates and updates, subresources included, and nothing else", () => {
    const spec = specOf(policyNamed(resources, "namespace-labels.netseg.dev"));
    assert.deepEqual(spec.matchConstraints.resourceRules, [
      {
        apiGroups: [""],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE"],
        resources: ["namespaces", "namespaces/*"],
      },
    ]);
    assert.equal(spec.matchConstraints.namespaceSelector, undefined);
    assert.equal(spec.matchConstraints.objectSelector, undefined);
  });

  it("matches every write to a NetworkPolicy, deletes included", () => {
    const spec = specOf(policyNamed(resources, "default-policies.netseg.dev"));
    assert.deepEqual(spec.matchConstraints.resourceRules, [
      {
        apiGroups: ["networking.k8s.io"],
        apiVersions: ["v1"],
        operations: ["CREATE", "UPDATE", "DELETE"],
        resources: ["networkpolicies"],
      },
    ]);
  });

  it("fails closed and exempts exactly the configured principals", () => {
    const policies = ofType(resources, POLICY);
    assert.equal(policies.length, GUARDS);
    for (const policy of policies) {
      const spec = specOf(policy);
      assert.equal(spec.failurePolicy, "Fail");
      const exemption = spec.matchConditions.find((c: any) => c.name === "not-a-platform-principal");
      assert.ok(exemption, nameOf(policy));
      assert.match(exemption.expression, /"system:serviceaccount:platform-ci:pulumi-deployer"/);
      assert.match(exemption.expression, /\["platform-admins"\]/);
    }
    assert.deepEqual(outputs.labelIntegrity.exemptUsers, [
      "system:serviceaccount:platform-ci:pulumi-deployer",
    ]);
    assert.deepEqual(outputs.labelIntegrity.exemptGroups, ["platform-admins"]);
  });

  it("renders objects the Kubernetes API accepts", async () => {
    for (const [type, kind] of [
      [POLICY, "ValidatingAdmissionPolicy"],
      [BINDING, "ValidatingAdmissionPolicyBinding"],
    ] as const) {
      assert.equal(ofType(resources, type).length, GUARDS, kind);
      for (const resource of ofType(resources, type)) {
        const problems = await kubernetesSchemaProblems({
          apiVersion: "admissionregistration.k8s.io/v1",
          kind,
          ...resource.inputs,
        });
        assert.deepEqual(problems, [], resource.name);
      }
    }
  });

  // One run per enforcement mode the tests need: dev itself runs in audit mode.
  const runs = new Map<string, ReturnType<typeof runStack>>();
  const runWith = (enforcement: string) => {
    if (enforcement === "audit") return devRun();
    if (!runs.has(enforcement)) {
      runs.set(enforcement, runStack(editedConfig((v) => (v.labelIntegrity.enforcement = enforcement))));
    }
    return runs.get(enforcement)!;
  };

  const rollout: [string, string[]][] = [
    ["audit", ["Audit"]],
    ["warn", ["Warn", "Audit"]],
    ["deny", ["Deny", "Audit"]],
  ];
  for (const [enforcement, actions] of rollout) {
    it(`binds with ${actions.join(" + ")} when the stack's enforcement is ${enforcement}`, async () => {
      const run = await runWith(enforcement);
      const bindings = ofType(run.resources, BINDING);
      assert.equal(bindings.length, GUARDS);
      for (const binding of bindings) assert.deepEqual(specOf(binding).validationActions, actions);
      assert.equal(run.outputs.labelIntegrity.enforcement, enforcement);
      assert.deepEqual(run.outputs.labelIntegrity.validationActions, actions);
      // The offline runner settles every Output of the returned object.
      const policies = run.outputs.labelIntegrity.policies as unknown as string[];
      assert.deepEqual([...policies].sort(), ["default-policies.netseg.dev", "namespace-labels.netseg.dev"]);
    });
  }

  it("switches rollout steps in place, without replacing the guard", async () => {
    const denied = await runWith("deny");
    const urns = (list: RecordedResource[]) =>
      [...ofType(list, POLICY), ...ofType(list, BINDING)].map((r) => r.urn).sort();
    assert.deepEqual(urns(denied.resources), urns(resources));
  });

  it("refuses a tenant's relabel with the objects the stack declares, once enforcement is deny", async () => {
    // GIVEN the stack in deny mode, as declared to the provider
    const run = await runWith("deny");
    const policy = policyNamed(run.resources, "namespace-labels.netseg.dev");
    const binding = bindingOf(run.resources, "namespace-labels.netseg.dev");
    const text = readFileSync(
      join(ROOT, "test", "fixtures", "admission", "namespace-change-area.json"),
      "utf8",
    );
    const request = (JSON.parse(text) as { request: AdmissionRequest }).request;
    const evaluate = (req: AdmissionRequest) =>
      admit(policy.inputs as unknown as AdmissionPolicy, binding.inputs as any, req);
    // WHEN a tenant moves payments to publicfrontal, and the deployer does the same
    const tenant = await evaluate(request);
    const deployer = await evaluate({
      ...request,
      userInfo: { username: "system:serviceaccount:platform-ci:pulumi-deployer" },
    });
    // THEN only the tenant is refused, and told what and whom to ask
    assert.equal(tenant.allowed, false);
    assert.match(tenant.denial ?? "", /may not set, change or remove networkArea on namespace payments/);
    assert.match(tenant.denial ?? "", /ask #platform-network on Slack\.$/);
    assert.equal(deployer.allowed, true);
  });
});
