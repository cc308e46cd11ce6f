/**
 * Cluster-tier policies in a plan: the objects of kubernetes/cluster.yaml join the probe estate, and
 * `netseg explain` names the tier, policy and rule that decided.
 */
import assert from "node:assert/strict";
import { probeEstate } from "../../analysis/estate";
import type { Manifest } from "../../cli/manifests";
import { endpointOf, explainConnection } from "../../cli/plan/explain";
import { planObjects } from "../../cli/plan/plan";
import { NetworkPolicyEvaluator } from "../../evaluator";
import { devPlan } from "../plan/plans";

/** An Admin Deny into payments from every namespace: what a NetworkPolicy there cannot undo. */
const guard: Manifest = {
  apiVersion: "networking.k8s.aws/v1alpha1",
  kind: "ClusterNetworkPolicy",
  metadata: { name: "netseg-guard-payments" },
  spec: {
    tier: "Admin",
    priority: 20,
    subject: { namespaces: { matchLabels: { "kubernetes.io/metadata.name": "payments" } } },
    ingress: [{ name: "from-everyone", action: "Deny", from: [{ namespaces: {} }] }],
  },
};

describe("cluster-tier policies in a plan", () => {
  it("collects them into the probe estate next to the NetworkPolicies", async () => {
    const plan = await devPlan();
    const objects = planObjects({ manifests: [...plan.manifests, guard] });
    // dev's own bounds (cluster-tier mode) and the guard added here
    const names = objects.clusterPolicies?.map((p) => p.metadata.name) ?? [];
    assert.ok(names.includes("netseg-guard-payments"), names.join());
    assert.ok(names.includes("netseg-area-backoffice"), names.join());
    const { estate } = probeEstate(plan.config, objects);
    const evaluator = new NetworkPolicyEvaluator(estate);
    assert.equal(evaluator.clusterPolicies.length, names.length);
    assert.ok(estate.policies.length > 0, "the NetworkPolicies stay in the estate");
  });

  it("makes explain name the Admin rule that decided", async () => {
    const plan = await devPlan();
    const request = { from: "payments/worker", to: "payments/endpoint", port: "8080" };
    // GIVEN the dev plan, where a pod of payments reaches the endpoint next to it
    assert.match(explainConnection(plan, request), /: allow\n/);
    // WHEN the guard joins the plan, THEN the connection is denied, and the Admin rule is named
    const text = explainConnection({ ...plan, manifests: [...plan.manifests, guard] }, request);
    assert.match(text, /: deny\n/);
    assert.match(
      text,
      /ingress to payments\/endpoint: denied by Admin ClusterNetworkPolicy netseg-guard-payments ingress\[0\] "from-everyone" \(Deny\)/,
    );
  });
});

describe("netseg explain endpoints", () => {
  it("reads ns/pod as a pod and IPv4 or IPv6 addresses, with or without a full mask, as addresses", () => {
    const cases: [string, ReturnType<typeof endpointOf>][] = [
      ["payments/endpoint", { namespace: "payments", pod: "endpoint" }],
      ["10.0.0.5", { ip: "10.0.0.5" }],
      ["10.0.0.5/32", { ip: "10.0.0.5/32" }],
      ["fd00:ec2::254", { ip: "fd00:ec2::254" }],
      ["fd00:ec2::254/128", { ip: "fd00:ec2::254/128" }],
    ];
    assert.equal(cases.length, 5);
    for (const [text, expected] of cases) assert.deepEqual(endpointOf(text), expected, text);
  });
});
