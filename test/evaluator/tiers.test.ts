/**
 * Tier semantics case by case, after the network-policy-api conformance scenarios (AdminNetworkPolicy
 * priority, gress rules, integration with NetworkPolicy and BaselineAdminNetworkPolicy through Pass, port
 * ranges, inline CIDR egress) and our own cases, over the x/y/z estate. Each expectation is written from
 * the API text: Admin tier first (first match, Deny/Accept final, Pass on), NetworkPolicies, Baseline,
 * default allow; both sides of a connection must allow it.
 */
import assert from "node:assert/strict";
import type { NetworkPolicy } from "../../core/k8s";
import { type ClusterTierManifest, NetworkPolicyEvaluator, type Protocol } from "../../evaluator";
import { assertTruthTable, type Expectation, endpoint, nsOf, podIp, podOf, policy, XYZ_KEYS } from "./estate";
import {
  anp,
  banp,
  eks,
  everyNamespace,
  inNs,
  podsOf,
  tierEstate,
  tierEvaluator,
  upstream,
} from "./tierEstate";

interface Case {
  name: string;
  policies?: NetworkPolicy[];
  cluster: ClusterTierManifest[];
  expect: Expectation;
  port?: number | string;
  protocol?: Protocol;
  keys?: readonly string[];
}

const denyIngress = (namespace: string) =>
  policy(namespace, "deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
const allowIngressFrom = (namespace: string, from: string) =>
  policy(namespace, `allow-from-${from}`, {
    podSelector: {},
    policyTypes: ["Ingress"],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: from } } }] }],
  });
const denyEgress = (namespace: string) =>
  policy(namespace, "deny-egress", { podSelector: {}, policyTypes: ["Egress"] });

const admin = (name: string, priority: number, spec: Record<string, unknown>) =>
  eks(name, { tier: "Admin", priority, ...spec });
const baseline = (name: string, priority: number, spec: Record<string, unknown>) =>
  eks(name, { tier: "Baseline", priority, ...spec });
const into = (ns: string, action: string, from: unknown[], extra: Record<string, unknown> = {}) => ({
  subject: inNs(ns),
  ingress: [{ action, from, ...extra }],
});

const intoX: (allowedFrom: (from: string) => boolean) => Expectation = (allowedFrom) => (from, to) =>
  nsOf(to) !== "x" || allowedFrom(from);

const CASES: Case[] = [
  {
    name: "Admin Deny beats a NetworkPolicy that allows the same traffic",
    policies: [allowIngressFrom("x", "y")],
    cluster: [admin("deny-y-to-x", 10, into("x", "Deny", [inNs("y")]))],
    // x is isolated and allows only y, and the Admin tier denies y first: nothing gets into x.
    expect: intoX(() => false),
  },
  {
    name: "Admin Accept beats NetworkPolicy isolation",
    policies: [denyIngress("x")],
    cluster: [admin("accept-y-to-x", 10, into("x", "Accept", [inNs("y")]))],
    expect: intoX((from) => nsOf(from) === "y"),
  },
  {
    name: "Admin Pass hands the decision to the NetworkPolicies (conformance: pass-ingress and NP allow)",
    policies: [allowIngressFrom("x", "y")],
    cluster: [
      admin("pass-y", 10, into("x", "Pass", [inNs("y")])),
      admin("deny-all", 20, into("x", "Deny", [everyNamespace])),
    ],
    // y is passed (its later Deny never applies to it) and the NP allows it; z meets the Deny.
    expect: intoX((from) => nsOf(from) === "y"),
  },
  {
    name: "Admin Pass without a NetworkPolicy falls to the Baseline tier (conformance: pass and BANP deny)",
    cluster: [
      admin("pass-y", 10, into("x", "Pass", [inNs("y")])),
      baseline("baseline-deny", 10, into("x", "Deny", [everyNamespace])),
    ],
    expect: intoX(() => false),
  },
  {
    name: "a lower priority number runs first",
    cluster: [
      admin("accept-y", 10, into("x", "Accept", [inNs("y")])),
      admin("deny-all", 20, into("x", "Deny", [everyNamespace])),
    ],
    expect: intoX((from) => nsOf(from) === "y"),
  },
  {
    name: "a higher priority number runs later, whatever the input order",
    cluster: [
      admin("accept-y", 30, into("x", "Accept", [inNs("y")])),
      admin("deny-all", 20, into("x", "Deny", [everyNamespace])),
    ],
    expect: intoX(() => false),
  },
  {
    name: "inside a policy the first matching rule decides",
    cluster: [
      admin("ordered", 10, {
        subject: inNs("x"),
        ingress: [
          { action: "Deny", from: [podsOf("y", "a")] },
          { action: "Accept", from: [everyNamespace] },
          { action: "Deny", from: [inNs("z")] },
        ],
      }),
    ],
    policies: [denyIngress("x")],
    // y/a is denied by rule 0; everyone else is accepted by rule 1 before rule 2 could deny z.
    expect: intoX((from) => from !== "y/a"),
  },
  {
    name: "the Baseline tier runs after the NetworkPolicies, which override it",
    policies: [allowIngressFrom("x", "y")],
    cluster: [
      baseline("deny-into-x-and-z", 10, {
        subject: { namespaces: { matchExpressions: [{ key: "ns", operator: "In", values: ["x", "z"] }] } },
        ingress: [{ action: "Deny", from: [everyNamespace] }],
      }),
    ],
    // x is isolated by its NP (y allowed, the rest denied by isolation); z has no NP, so the Baseline denies.
    expect: (from, to) => (nsOf(to) === "x" ? nsOf(from) === "y" : nsOf(to) !== "z"),
  },
  {
    name: "a Baseline Accept only matters where no NetworkPolicy isolates the pod",
    policies: [denyIngress("x")],
    cluster: [
      baseline("accept-y", 10, {
        subject: everyNamespace,
        ingress: [{ action: "Accept", from: [inNs("y")] }],
      }),
      baseline("deny-rest", 20, {
        subject: everyNamespace,
        ingress: [{ action: "Deny", from: [everyNamespace] }],
      }),
    ],
    expect: (from, to) => nsOf(to) !== "x" && nsOf(from) === "y",
  },
  {
    name: "a Baseline Pass goes to the default, which allows",
    cluster: [
      baseline("pass-y", 10, into("x", "Pass", [inNs("y")])),
      baseline("deny-all", 20, into("x", "Deny", [everyNamespace])),
    ],
    expect: intoX((from) => nsOf(from) === "y"),
  },
  {
    name: "an egress Accept still needs the destination's ingress",
    policies: [denyIngress("y")],
    cluster: [admin("x-out", 10, { subject: inNs("x"), egress: [{ action: "Accept", to: [inNs("y")] }] })],
    expect: (_from, to) => nsOf(to) !== "y",
  },
  {
    name: "an Admin egress Accept beats egress isolation of the source",
    policies: [denyEgress("x")],
    cluster: [admin("x-to-y", 10, { subject: inNs("x"), egress: [{ action: "Accept", to: [inNs("y")] }] })],
    expect: (from, to) => nsOf(from) !== "x" || nsOf(to) === "y",
  },
  {
    name: "a pods subject selects only the pods it names",
    cluster: [
      admin("guard-x-a", 10, {
        subject: podsOf("x", "a"),
        ingress: [{ action: "Deny", from: [everyNamespace] }],
      }),
    ],
    expect: (_from, to) => to !== "x/a",
  },
  {
    name: "a pods peer selects only the pods it names",
    cluster: [admin("no-z-b", 10, into("x", "Deny", [podsOf("z", "b")]))],
    expect: intoX((from) => from !== "z/b"),
  },
  {
    name: "a port number limits a rule to that port (other ports pass through)",
    cluster: [
      admin(
        "deny-81",
        10,
        into("x", "Deny", [everyNamespace], { ports: [{ portNumber: { port: 81, protocol: "TCP" } }] }),
      ),
    ],
    expect: () => true,
  },
  {
    name: "a port number matches its own port",
    cluster: [
      admin(
        "deny-80",
        10,
        into("x", "Deny", [everyNamespace], { ports: [{ portNumber: { port: 80, protocol: "TCP" } }] }),
      ),
    ],
    expect: intoX(() => false),
  },
  {
    name: "a port range matches the ports inside it (conformance: port range rules)",
    cluster: [
      admin(
        "deny-79-81",
        10,
        into("x", "Deny", [everyNamespace], { ports: [{ portRange: { start: 79, end: 81 } }] }),
      ),
    ],
    port: 81,
    expect: intoX(() => false),
  },
  {
    name: "a port range is per protocol",
    cluster: [
      admin(
        "deny-79-81",
        10,
        into("x", "Deny", [everyNamespace], {
          ports: [{ portRange: { start: 79, end: 81, protocol: "TCP" } }],
        }),
      ),
    ],
    port: 80,
    protocol: "UDP",
    expect: () => true,
  },
  {
    name: "a named port matches the destination's container port of that name",
    cluster: [
      admin(
        "deny-named",
        10,
        into("x", "Deny", [everyNamespace], { ports: [{ namedPort: "serve-80-tcp" }] }),
      ),
    ],
    port: 80,
    expect: intoX(() => false),
  },
  {
    name: "a named port does not match another port of the destination",
    cluster: [
      admin(
        "deny-named",
        10,
        into("x", "Deny", [everyNamespace], { ports: [{ namedPort: "serve-80-tcp" }] }),
      ),
    ],
    port: 81,
    expect: () => true,
  },
  {
    name: "a named port carries its container port's protocol",
    cluster: [
      admin(
        "deny-named",
        10,
        into("x", "Deny", [everyNamespace], { ports: [{ namedPort: "serve-80-udp" }] }),
      ),
    ],
    port: 80,
    protocol: "UDP",
    expect: intoX(() => false),
  },
  {
    name: "networks peers match pod addresses (conformance: inline CIDR egress)",
    cluster: [
      admin("no-y-by-address", 10, {
        subject: inNs("x"),
        egress: [{ action: "Deny", to: [{ networks: ["10.0.2.0/24"] }] }],
      }),
    ],
    expect: (from, to) => nsOf(from) !== "x" || nsOf(to) !== "y",
  },
  {
    name: "networks peers match addresses outside the pods",
    cluster: [
      admin("no-doc-range", 10, {
        subject: inNs("x"),
        egress: [{ action: "Deny", to: [{ networks: ["192.0.2.0/24"] }] }],
      }),
    ],
    keys: ["x/a", "y/a", "192.0.2.10", "198.51.100.7"],
    expect: (from, to) => !(nsOf(from) === "x" && to === "192.0.2.10"),
  },
  {
    name: "an IPv6 network never matches an IPv4 address",
    cluster: [
      admin("no-v6", 10, {
        subject: everyNamespace,
        egress: [{ action: "Deny", to: [{ networks: ["::/0"] }] }],
      }),
    ],
    expect: () => true,
  },
  {
    name: "the upstream flavour reads protocols and networks the same way",
    cluster: [
      upstream("no-y-81", {
        tier: "Admin",
        priority: 5,
        subject: inNs("x"),
        egress: [
          {
            action: "Deny",
            to: [{ networks: ["10.0.2.0/24"] }],
            protocols: [{ tcp: { destinationPort: { range: { start: 80, end: 81 } } } }],
          },
        ],
      }),
    ],
    expect: (from, to) => nsOf(from) !== "x" || nsOf(to) !== "y",
  },
  {
    name: "v1alpha1 AdminNetworkPolicy Allow is Accept, and the BANP runs after the NetworkPolicies",
    policies: [allowIngressFrom("z", "y")],
    cluster: [
      anp("allow-y-into-x", {
        priority: 3,
        subject: inNs("x"),
        ingress: [{ action: "Allow", from: [inNs("y")] }],
      }),
      banp({ subject: everyNamespace, ingress: [{ action: "Deny", from: [everyNamespace] }] }),
    ],
    // x: y accepted by the ANP, the rest denied by the BANP. z: its NP allows y. y: the BANP denies.
    expect: (from, to) => nsOf(from) === "y" && nsOf(to) !== "y",
  },
];

describe("evaluator: cluster-tier policies", () => {
  for (const c of CASES) {
    it(c.name, () => {
      // GIVEN the estate with the case's policies
      const evaluator = tierEvaluator(c.policies ?? [], c.cluster);
      // WHEN every pair is probed, THEN it matches the expected truth table
      assertTruthTable(evaluator, c.expect, c.port ?? 80, c.protocol, c.keys ?? XYZ_KEYS);
    });
  }

  it("gives the same verdicts for one policy written in each flavour", () => {
    // GIVEN one boundary, written for EKS, upstream v1alpha2 and v1alpha1
    const rules = (accept: string) => ({
      ingress: [
        {
          name: "from-y",
          action: accept,
          from: [inNs("y")],
          ports: [{ portNumber: { port: 80, protocol: "TCP" } }],
        },
        { name: "rest", action: "Deny", from: [everyNamespace] },
      ],
    });
    const flavours = [
      eks("guard", { tier: "Admin", priority: 1, subject: inNs("x"), ...rules("Accept") }),
      upstream("guard", {
        tier: "Admin",
        priority: 1,
        subject: inNs("x"),
        ingress: [
          {
            name: "from-y",
            action: "Accept",
            from: [inNs("y")],
            protocols: [{ tcp: { destinationPort: { number: 80 } } }],
          },
          { name: "rest", action: "Deny", from: [everyNamespace] },
        ],
      }),
      anp("guard", { priority: 1, subject: inNs("x"), ...rules("Allow") }),
    ];
    const expected: Expectation = intoX((from) => nsOf(from) === "y");
    assert.equal(flavours.length, 3);
    for (const flavour of flavours) {
      const evaluator = tierEvaluator([denyIngress("x")], [flavour]);
      assertTruthTable(evaluator, expected, 80);
      // Port 81 only meets the Deny: the flavours agree on ports too.
      assertTruthTable(
        evaluator,
        intoX(() => false),
        81,
      );
    }
  });

  it("names the tier, the policy and the rule that decided, in the result and the reason", () => {
    const evaluator = tierEvaluator(
      [allowIngressFrom("x", "y")],
      [
        admin("netseg-areas-x", 10, {
          subject: inNs("x"),
          ingress: [
            { action: "Pass", from: [inNs("x")] },
            { name: "from-other-areas", action: "Deny", from: [everyNamespace] },
          ],
        }),
      ],
    );
    const denied = evaluator.probe({ from: endpoint("y/a"), to: endpoint("x/a"), port: 80 });
    assert.equal(denied.verdict, "deny");
    assert.equal(denied.ingress.decidedBy, "Admin");
    assert.deepEqual(denied.ingress.tierRule, {
      tier: "Admin",
      kind: "ClusterNetworkPolicy",
      policy: "netseg-areas-x",
      direction: "ingress",
      rule: 1,
      name: "from-other-areas",
      action: "Deny",
      peer: 0,
    });
    assert.match(
      denied.reason,
      /^ingress to x\/a: denied by Admin ClusterNetworkPolicy netseg-areas-x ingress\[1\] "from-other-areas" \(Deny\)/,
    );
    // The NetworkPolicy facts stay as they were: x is isolated, and its NP admits y.
    assert.equal(denied.ingress.isolated, true);
    assert.equal(denied.ingress.allowedBy.length, 1);

    const passed = evaluator.probe({ from: endpoint("x/b"), to: endpoint("x/a"), port: 80 });
    assert.equal(passed.verdict, "deny");
    assert.equal(passed.ingress.decidedBy, "NetworkPolicy");
    assert.equal(passed.ingress.passedBy?.rule, 0);
    assert.match(
      passed.reason,
      /passed by Admin ClusterNetworkPolicy netseg-areas-x ingress\[0\] \(Pass\), then isolated by x\/allow-from-y/,
    );

    const free = evaluator.probe({ from: endpoint("x/a"), to: endpoint("z/a"), port: 80 });
    assert.equal(free.egress.decidedBy, "default");
    assert.equal(free.ingress.decidedBy, "default");
  });

  it("names the Baseline rule that decided", () => {
    const evaluator = tierEvaluator(
      [],
      [banp({ subject: inNs("z"), egress: [{ action: "Deny", to: [inNs("x")] }] })],
    );
    const result = evaluator.probe({ from: endpoint("z/c"), to: endpoint("x/c"), port: 80 });
    assert.equal(result.egress.decidedBy, "Baseline");
    assert.match(
      result.reason,
      /egress from z\/c: denied by Baseline BaselineAdminNetworkPolicy default egress\[0\] \(Deny\)/,
    );
  });

  it("decides IPv6 pods, ipBlocks and networks", () => {
    // GIVEN the x/y/z pods on IPv6 addresses, one /64 per namespace
    const estate = tierEstate(
      [
        policy("x", "from-y-v6", {
          podSelector: {},
          policyTypes: ["Ingress"],
          ingress: [{ from: [{ ipBlock: { cidr: "fd00:2::/64", except: ["fd00:2::3/128"] } }] }],
        }),
      ],
      [
        admin("no-z-v6", 10, {
          subject: everyNamespace,
          egress: [{ action: "Deny", to: [{ networks: ["fd00:3::/64"] }] }],
        }),
      ],
    );
    const v6 = (key: string) => `fd00:${"xyz".indexOf(nsOf(key)) + 1}::${"abc".indexOf(podOf(key)) + 1}`;
    for (const pod of estate.pods) pod.ip = v6(`${pod.namespace}/${pod.name}`);
    const evaluator = new NetworkPolicyEvaluator(estate);
    // THEN x admits y but not y/c (the except), and nobody reaches z
    const expected: Expectation = (from, to) =>
      nsOf(to) !== "z" && (nsOf(to) !== "x" || (nsOf(from) === "y" && podOf(from) !== "c"));
    assertTruthTable(evaluator, expected);
    // AND an IPv6 address endpoint is the pod that has it
    const byAddress = evaluator.probe({ from: { ip: "FD00:2:0::1" }, to: endpoint("x/a"), port: 80 });
    assert.equal(byAddress.verdict, "allow");
    assert.equal(byAddress.ingress.allowedBy[0]?.policy, "x/from-y-v6");
    assert.equal(podIp("y", "a"), "10.0.2.1", "the IPv4 layout the v6 one mirrors");
  });
});
