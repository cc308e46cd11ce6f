import assert from "node:assert/strict";
import { type RecordedResource, runOffline } from "../../cli/offline";
import { ServiceContract } from "../../components/serviceContract";
import { MANAGED_LABEL } from "../../core/labels";
import { queryServicesChannels } from "../../examples/contracts/query-services";
import { allow, CONTRACT_LABEL, ContractError, contract, Pods, Port } from "../../model/contracts";
import { DESCRIPTION_ANNOTATION } from "../../model/policy";

const COMPONENT = "segmentation:contracts:ServiceContract";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** A service's own stack: nothing but its contract. */
function serviceStack() {
  const component = new ServiceContract("query-services-channels", { contract: queryServicesChannels });
  return { policyNames: component.policyNames };
}

describe("the ServiceContract component under mocks", () => {
  let resources: RecordedResource[];
  let outputs: { policyNames: string[] };
  before(async () => {
    ({ resources, outputs } = await runOffline(serviceStack, {
      project: "query-services",
      stack: "dev",
      config: {},
    }));
  });

  it("declares each planned policy under the component, in the contract's namespace", () => {
    // GIVEN the example contract, WHEN its stack runs, THEN one component holds its policies
    const [component] = resources.filter((r) => r.type === COMPONENT);
    assert.ok(component);
    const policies = resources.filter((r) => r.type === POLICY);
    assert.equal(policies.length, queryServicesChannels.ingress.length + queryServicesChannels.egress.length);
    for (const policy of policies) {
      assert.equal(policy.parent, component.urn);
      const metadata = policy.inputs.metadata as Record<string, any>;
      assert.equal(metadata.namespace, "query-services");
      assert.equal(policy.name, `query-services-${metadata.name}`);
    }
    assert.deepEqual(
      outputs.policyNames,
      policies.map((p) => `query-services/${(p.inputs.metadata as { name: string }).name}`),
    );
  });

  it("labels the policies as the contract's, never as the platform's", () => {
    for (const policy of resources.filter((r) => r.type === POLICY)) {
      const metadata = policy.inputs.metadata as Record<string, any>;
      assert.equal(metadata.labels[CONTRACT_LABEL], "query-services-channels");
      assert.equal(metadata.labels[MANAGED_LABEL], undefined);
      assert.match(metadata.annotations[DESCRIPTION_ANNOTATION], /^Contract query-services-channels: /);
    }
  });

  it("passes the rendered spec through unchanged", () => {
    const [policy] = resources.filter((r) => r.type === POLICY);
    const spec = policy?.inputs.spec as Record<string, any>;
    assert.deepEqual(spec.podSelector, { matchLabels: { app: "query-api" } });
    assert.deepEqual(spec.ingress[0].ports, [{ protocol: "TCP", port: "http" }]);
  });

  it("refuses a contract lint finds an error in before declaring anything", () => {
    const open = contract("ledger", {
      namespace: "payments",
      rules: [allow([], Port.tcp(8080)).to(Pods.labelled({ app: "ledger" }), "Everyone.")],
    });
    assert.throws(
      () => new ServiceContract("ledger", { contract: open }),
      (error: unknown) => error instanceof ContractError && /ingress\[0\]\.from/.test(error.message),
    );
  });
});
