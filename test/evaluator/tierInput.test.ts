/**
 * What the cluster-tier kinds cannot express, or netseg cannot evaluate, gets an error naming the field,
 * the value and the fix, or a warning; every problem is reported at once.
 */
import assert from "node:assert/strict";
import {
  type ClusterTierManifest,
  formatInputIssue,
  InputError,
  NetworkPolicyEvaluator,
} from "../../evaluator";
import { endpoint, xyzEstate } from "./estate";
import { anp, banp, eks, everyNamespace, inNs, tierEvaluator, upstream } from "./tierEstate";

type Spec = Record<string, any>;

/** A valid EKS Admin policy every case breaks one thing of. */
function guard(): ClusterTierManifest {
  return eks("guard", {
    tier: "Admin",
    priority: 10,
    subject: inNs("x"),
    ingress: [{ action: "Deny", from: [inNs("y")] }],
    egress: [
      {
        action: "Accept",
        to: [{ networks: ["10.0.0.0/8"] }],
        ports: [{ portNumber: { port: 443, protocol: "TCP" } }],
      },
    ],
  });
}

interface BadInput {
  name: string;
  policies: () => ClusterTierManifest[];
  expect: { path: string; message: RegExp }[];
}

const edited = (edit: (spec: Spec) => void) => () => {
  const policy = guard();
  edit(policy.spec as Spec);
  return [policy];
};

const CASES: BadInput[] = [
  {
    name: "refuses a nodes peer, pointing at networks",
    policies: () => [
      upstream("nodes", {
        tier: "Admin",
        priority: 1,
        subject: everyNamespace,
        egress: [{ action: "Deny", to: [{ nodes: {} }] }],
      }),
    ],
    expect: [
      { path: "clusterPolicies[0].spec.egress[0].to[0].nodes", message: /selects nodes.*networks peer/ },
    ],
  },
  {
    name: "refuses networks in an ingress rule",
    policies: edited((s) => (s.ingress[0].from = [{ networks: ["10.0.0.0/8"] }])),
    expect: [
      {
        path: "clusterPolicies[0].spec.ingress[0].from[0].networks",
        message:
          /is not an ingress peer of ClusterNetworkPolicy \(networking\.k8s\.aws\/v1alpha1\): from takes namespaces and pods only/,
      },
    ],
  },
  {
    name: "refuses a peer field the flavour lacks, once, listing the ones it has",
    policies: edited((s) => (s.egress[0].to = [{ ipBlock: { cidr: "10.0.0.0/8" } }])),
    expect: [
      {
        path: "clusterPolicies[0].spec.egress[0].to[0].ipBlock",
        message:
          /is not a field of an egress peer of ClusterNetworkPolicy \(networking\.k8s\.aws\/v1alpha1\); the fields are namespaces, pods, networks, domainNames/,
      },
    ],
  },
  {
    name: "refuses Allow in a ClusterNetworkPolicy, saying the CRD takes Accept",
    policies: edited((s) => (s.ingress[0].action = "Allow")),
    expect: [
      {
        path: "clusterPolicies[0].spec.ingress[0].action",
        message: /"Allow" is not an action.*takes Accept/,
      },
    ],
  },
  {
    name: "refuses Accept in a v1alpha1 AdminNetworkPolicy",
    policies: () => [
      anp("a", {
        priority: 1,
        subject: everyNamespace,
        ingress: [{ action: "Accept", from: [everyNamespace] }],
      }),
    ],
    expect: [
      {
        path: "clusterPolicies[0].spec.ingress[0].action",
        message: /"Accept" is not an action of AdminNetworkPolicy; use Allow, Deny, Pass/,
      },
    ],
  },
  {
    name: "refuses Pass in a BaselineAdminNetworkPolicy",
    policies: () => [
      banp({ subject: everyNamespace, ingress: [{ action: "Pass", from: [everyNamespace] }] }),
    ],
    expect: [
      {
        path: "clusterPolicies[0].spec.ingress[0].action",
        message:
          /"Pass" is not an action of BaselineAdminNetworkPolicy; use Allow, Deny \(Pass only exists in the Admin tier/,
      },
    ],
  },
  {
    name: "refuses an unknown action",
    policies: edited((s) => (s.ingress[0].action = "Drop")),
    expect: [
      {
        path: "clusterPolicies[0].spec.ingress[0].action",
        message: /"Drop" is not an action.*use Accept, Deny, Pass/,
      },
    ],
  },
  {
    name: "refuses a missing or unknown tier",
    policies: edited((s) => (s.tier = "Platform")),
    expect: [
      { path: "clusterPolicies[0].spec.tier", message: /"Platform" is not a tier; use Admin or Baseline/ },
    ],
  },
  {
    name: "refuses a priority outside 0..1000",
    policies: edited((s) => (s.priority = 1001)),
    expect: [
      {
        path: "clusterPolicies[0].spec.priority",
        message: /1001 is not a priority; use an integer from 0 to 1000/,
      },
    ],
  },
  {
    name: "refuses a subject with both namespaces and pods",
    policies: edited(
      (s) => (s.subject = { namespaces: {}, pods: { namespaceSelector: {}, podSelector: {} } }),
    ),
    expect: [
      {
        path: "clusterPolicies[0].spec.subject",
        message: /sets namespaces and pods; a subject sets exactly one/,
      },
    ],
  },
  {
    name: "refuses a port entry with two fields",
    policies: edited(
      (s) => (s.egress[0].ports = [{ portNumber: { port: 1, protocol: "TCP" }, namedPort: "web" }]),
    ),
    expect: [
      { path: "clusterPolicies[0].spec.egress[0].ports[0]", message: /sets portNumber and namedPort/ },
    ],
  },
  {
    name: "refuses a port range whose end is not above its start",
    policies: edited((s) => (s.egress[0].ports = [{ portRange: { start: 90, end: 90 } }])),
    expect: [
      {
        path: "clusterPolicies[0].spec.egress[0].ports[0].portRange.end",
        message: /must be greater than start 90/,
      },
    ],
  },
  {
    name: "refuses an IPv6 network with host bits, naming its network address",
    policies: edited((s) => (s.egress[0].to[0].networks = ["fd00:ec2::254/64"])),
    expect: [
      {
        path: "clusterPolicies[0].spec.egress[0].to[0].networks[0]",
        message: /host bits set; use the network address "fd00:ec2::\/64"/,
      },
    ],
  },
  {
    name: "refuses upstream named ports next to networks peers",
    policies: () => [
      upstream("named", {
        tier: "Admin",
        priority: 1,
        subject: everyNamespace,
        egress: [
          {
            action: "Deny",
            to: [{ networks: ["10.0.0.0/8"] }],
            protocols: [{ destinationNamedPort: "web" }],
          },
        ],
      }),
    ],
    expect: [
      {
        path: "clusterPolicies[0].spec.egress[0].protocols",
        message: /networks and domainNames peers have no named ports/,
      },
    ],
  },
  {
    name: "refuses a BaselineAdminNetworkPolicy not named default",
    policies: () => [banp({ subject: everyNamespace }, "baseline")],
    expect: [{ path: "clusterPolicies[0].metadata.name", message: /"baseline" is not "default"/ }],
  },
  {
    name: "refuses a second BaselineAdminNetworkPolicy",
    policies: () => [banp({ subject: everyNamespace }), banp({ subject: inNs("x") }, "default")],
    expect: [
      { path: "clusterPolicies[1].metadata.name", message: /is also the name of clusterPolicies\[0\]/ },
    ],
  },
  {
    name: "refuses a cluster-tier kind with another API's version",
    policies: () => [{ ...guard(), apiVersion: "policy.networking.k8s.io/v1alpha1" }],
    expect: [
      {
        path: "clusterPolicies[0].apiVersion",
        message:
          /is not an apiVersion of ClusterNetworkPolicy; use networking\.k8s\.aws\/v1alpha1 or policy\.networking\.k8s\.io\/v1alpha2/,
      },
    ],
  },
];

function failure(run: () => unknown): InputError {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  assert.fail("expected an InputError");
}

describe("evaluator: cluster-tier input", () => {
  it("accepts the valid policy every case starts from", () => {
    assert.equal(tierEvaluator([], [guard()]).clusterPolicies.length, 1);
  });

  for (const c of CASES) {
    it(c.name, () => {
      const error = failure(() => tierEvaluator([], c.policies()));
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        c.expect.map((e) => e.path),
        error.message,
      );
      for (const [i, issue] of error.issues.entries())
        assert.match(formatInputIssue(issue), c.expect[i]!.message);
    });
  }

  it("reports every problem at once, across policies", () => {
    const broken = guard();
    (broken.spec as Spec).priority = -1;
    (broken.spec as Spec).ingress[0].action = "Allow";
    const other = upstream("other", { tier: "Admin", priority: 1, subject: {} });
    const error = failure(() => tierEvaluator([], [broken, other]));
    assert.equal(error.issues.length, 3, error.message);
  });

  it("reads cluster-tier objects given among the NetworkPolicies, with their paths there", () => {
    const estate = xyzEstate([]);
    const broken = guard();
    (broken.spec as Spec).tier = "admin";
    (estate.policies as unknown[]).push(broken);
    const error = failure(() => new NetworkPolicyEvaluator(estate));
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ["policies[0].spec.tier"],
    );
  });

  it("warns that domainNames peers are not evaluated, and lets them match nothing", () => {
    const evaluator = tierEvaluator(
      [],
      [
        eks("dns", {
          tier: "Admin",
          priority: 1,
          subject: inNs("x"),
          egress: [
            { action: "Pass", to: [{ domainNames: ["*.example.com"] }] },
            { action: "Deny", to: [inNs("y")] },
          ],
        }),
      ],
    );
    assert.equal(evaluator.warnings.length, 1);
    assert.match(
      formatInputIssue(evaluator.warnings[0]!),
      /^clusterPolicies\[0\]\.spec\.egress\[0\]\.to\[0\]\.domainNames: \["\*\.example\.com"\] is not evaluated/,
    );
    // The Pass on domains matches nothing, so the Deny after it still applies.
    assert.equal(evaluator.probe({ from: endpoint("x/a"), to: endpoint("y/a"), port: 80 }).verdict, "deny");
  });

  it("warns about equal priorities whose subjects overlap, naming both policies and a shared pod", () => {
    const evaluator = tierEvaluator(
      [],
      [
        eks("b-second", {
          tier: "Admin",
          priority: 7,
          subject: inNs("x"),
          ingress: [{ action: "Accept", from: [everyNamespace] }],
        }),
        eks("a-first", {
          tier: "Admin",
          priority: 7,
          subject: everyNamespace,
          ingress: [{ action: "Deny", from: [everyNamespace] }],
        }),
        // Same priority, other tier, and same priority with a disjoint subject: no warning for these.
        eks("baseline", {
          tier: "Baseline",
          priority: 7,
          subject: inNs("x"),
          ingress: [{ action: "Deny", from: [everyNamespace] }],
        }),
        eks("c-apart", {
          tier: "Admin",
          priority: 8,
          subject: inNs("x"),
          ingress: [{ action: "Deny", from: [everyNamespace] }],
        }),
      ],
    );
    assert.equal(evaluator.warnings.length, 1, evaluator.warnings.map(formatInputIssue).join("\n"));
    const [warning] = evaluator.warnings;
    assert.equal(warning!.path, "clusterPolicies[0].spec.priority");
    assert.match(
      warning!.problem,
      /ClusterNetworkPolicy a-first in the Admin tier, and both select pod x\/a.*distinct priorities/,
    );
    // netseg's stable order: a-first (Deny) before b-second (Accept).
    assert.equal(evaluator.probe({ from: endpoint("y/a"), to: endpoint("x/a"), port: 80 }).verdict, "deny");
  });
});
