import assert from "node:assert/strict";
import type { NetworkPolicyIngressRule } from "../../core/k8s";
import {
  allowAllIngressViolations,
  NAMESPACE,
  NETWORK_POLICY,
  type StackResourceLike,
} from "../../policy/networkPolicies";

function namespace(name: string, labels: Record<string, string>): StackResourceLike {
  return { type: NAMESPACE, urn: `urn:ns:${name}`, props: { metadata: { name, labels } } };
}

function policy(
  namespaceName: string,
  name: string,
  ingress: NetworkPolicyIngressRule[],
  policyTypes?: string[],
): StackResourceLike {
  return {
    type: NETWORK_POLICY,
    urn: `urn:np:${namespaceName}/${name}`,
    props: {
      metadata: { name, namespace: namespaceName },
      spec: { podSelector: {}, ingress, ...(policyTypes ? { policyTypes } : {}) },
    },
  };
}

const NAMESPACES = [
  namespace("payments", {
    "netseg.dev/managed": "true",
    "netseg.dev/role": "area",
    networkArea: "backoffice",
  }),
  namespace("monitoring", { "netseg.dev/managed": "true", "netseg.dev/role": "tool" }),
];

const FROM_BACKOFFICE = { namespaceSelector: { matchLabels: { networkArea: "backoffice" } } };

describe("policy: no NetworkPolicy in an area namespace allows all sources", () => {
  const cases: { name: string; ingress: NetworkPolicyIngressRule[]; reason?: RegExp }[] = [
    { name: "refuses a rule without from", ingress: [{}], reason: /has no "from"/ },
    { name: "refuses a rule with an empty from", ingress: [{ from: [] }], reason: /has no "from"/ },
    {
      name: "refuses an empty namespaceSelector alone",
      ingress: [{ from: [{ namespaceSelector: {} }] }],
      reason: /empty namespaceSelector/,
    },
    {
      name: "refuses an empty namespaceSelector with an empty podSelector",
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: {} }] }],
      reason: /empty namespaceSelector/,
    },
    {
      name: "refuses a namespaceSelector whose terms are empty lists",
      ingress: [{ from: [{ namespaceSelector: { matchLabels: {}, matchExpressions: [] } }] }],
      reason: /empty namespaceSelector/,
    },
    {
      name: "refuses an ipBlock of 0.0.0.0/0, excepts or not",
      ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }],
      reason: /ipBlock 0\.0\.0\.0\/0 admits every address/,
    },
    {
      name: "refuses an allow-all peer next to narrow ones",
      ingress: [{ from: [FROM_BACKOFFICE, { namespaceSelector: {} }] }],
      reason: /empty namespaceSelector/,
    },
    { name: "accepts a rule from an area", ingress: [{ from: [FROM_BACKOFFICE] }] },
    {
      name: "accepts labelled pods of every namespace",
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: "prometheus" } } }] }],
    },
    {
      name: "accepts an empty podSelector alone (the policy's own namespace)",
      ingress: [{ from: [{ podSelector: {} }] }],
    },
    {
      name: "accepts a narrow ipBlock",
      ingress: [{ from: [{ ipBlock: { cidr: "10.20.64.0/26" } }], ports: [{ port: 8443 }] }],
    },
    { name: "accepts a policy with no ingress rule (deny all)", ingress: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const violations = allowAllIngressViolations([...NAMESPACES, policy("payments", "p", c.ingress)]);
      if (c.reason === undefined) assert.deepEqual(violations, []);
      else {
        assert.equal(violations.length, 1);
        assert.equal(violations[0]!.urn, "urn:np:payments/p");
        assert.match(violations[0]!.message, c.reason);
      }
    });
  }

  it("reports each offending rule by its position, and only those", () => {
    const violations = allowAllIngressViolations([
      ...NAMESPACES,
      policy("payments", "mixed", [{ from: [FROM_BACKOFFICE] }, {}, { from: [{ namespaceSelector: {} }] }]),
    ]);
    assert.deepEqual(
      violations.map((v) => v.message.match(/ingress rule (\d+)/)?.[1]),
      ["2", "3"],
    );
    assert.match(
      violations[0]!.message,
      /^NetworkPolicy "payments\/mixed" ingress rule 2: .* "payments" is an area namespace/,
    );
  });

  it("leaves namespaces that are not area namespaces alone", () => {
    const allowAll = [{}];
    assert.deepEqual(
      allowAllIngressViolations([
        ...NAMESPACES,
        policy("monitoring", "scrape", allowAll),
        policy("not-declared", "anything", allowAll),
      ]),
      [],
    );
  });

  it("ignores ingress rules of a policy whose types leave Ingress out", () => {
    assert.deepEqual(
      allowAllIngressViolations([...NAMESPACES, policy("payments", "egress", [{}], ["Egress"])]),
      [],
    );
    assert.equal(
      allowAllIngressViolations([...NAMESPACES, policy("payments", "both", [{}], ["Ingress", "Egress"])])
        .length,
      1,
    );
  });

  it("knows area namespaces by their role, not by their area label", () => {
    const labelledOnly = namespace("stray", { networkArea: "backoffice" });
    assert.deepEqual(allowAllIngressViolations([labelledOnly, policy("stray", "p", [{}])]), []);
  });
});
