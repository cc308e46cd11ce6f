import assert from "node:assert/strict";
import type { NetworkPolicy } from "../../core/k8s";
import { NetworkPolicyEvaluator, type Protocol } from "../../evaluator";
import {
  assertTruthTable,
  type Expectation,
  evaluatorOf,
  nsOf,
  podOf,
  policy,
  XYZ_KEYS,
  xyzEstate,
} from "./estate";

interface Case {
  name: string;
  policies: NetworkPolicy[];
  /** Whether `from` may connect to `to`; a pod reaching itself is always expected to pass. */
  expect: Expectation;
  port?: number | string;
  protocol?: Protocol;
  /** Endpoints to probe, pods as `ns/pod` and addresses as dotted quads; the nine pods by default. */
  keys?: readonly string[];
}

const denyIngress = (namespace: string) =>
  policy(namespace, "deny-ingress", { podSelector: {}, policyTypes: ["Ingress"] });
const denyEgress = (namespace: string) =>
  policy(namespace, "deny-egress", { podSelector: {}, policyTypes: ["Egress"] });
const allowIngress = (namespace: string, ingress: NonNullable<NetworkPolicy["spec"]>["ingress"]) =>
  policy(namespace, "allow-ingress", { podSelector: {}, ingress });
const intoX: (allowedFrom: (from: string) => boolean) => Expectation = (allowedFrom) => (from, to) =>
  nsOf(to) !== "x" || allowedFrom(from);

const OUTSIDE = "192.0.2.10";

const ISOLATION: Case[] = [
  { name: "allows everything when no policy exists", policies: [], expect: () => true },
  {
    name: "denies all ingress to a namespace whose policy selects every pod and allows nothing",
    policies: [denyIngress("x")],
    expect: intoX(() => false),
  },
  {
    name: "treats a policy without policyTypes as ingress-only when it has no egress rules",
    policies: [policy("x", "no-types", { podSelector: {}, egress: [] })],
    // `egress: []` does not make it an egress policy, so x's pods still send anywhere.
    expect: intoX(() => false),
  },
  {
    name: "treats a policy without policyTypes as egress too when it has egress rules",
    policies: [
      policy("x", "to-y", {
        podSelector: {},
        egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: "y" } } }] }],
      }),
    ],
    expect: (from, to) => nsOf(to) !== "x" && (nsOf(from) !== "x" || nsOf(to) === "y"),
  },
  {
    name: "denies all egress of pods isolated by an Egress policy with no rules",
    policies: [denyEgress("x")],
    expect: (from) => nsOf(from) !== "x",
  },
  {
    name: "ignores ingress rules of a policy whose policyTypes lists only Egress",
    policies: [
      policy("x", "egress-only", {
        podSelector: {},
        policyTypes: ["Egress"],
        ingress: [{ from: [{ podSelector: { matchLabels: { pod: "a" } } }] }],
        egress: [{}],
      }),
    ],
    expect: () => true,
  },
  {
    name: "isolates only the pods the policy's podSelector selects",
    policies: [
      policy("x", "deny-a", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Ingress"] }),
    ],
    expect: (_from, to) => to !== "x/a",
  },
  {
    name: "isolates only pods of the policy's own namespace",
    policies: [
      policy("y", "deny-a", { podSelector: { matchLabels: { pod: "a" } }, policyTypes: ["Ingress"] }),
    ],
    expect: (_from, to) => to !== "y/a",
  },
  {
    name: "adds up allows across policies: a deny-all does not undo another policy's allow",
    policies: [
      denyIngress("x"),
      allowIngress("x", [{ from: [{ namespaceSelector: { matchLabels: { ns: "y" } } }] }]),
      policy("x", "allow-z-to-c", {
        podSelector: { matchLabels: { pod: "c" } },
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: "z" } } }] }],
      }),
    ],
    expect: (from, to) => nsOf(to) !== "x" || nsOf(from) === "y" || (to === "x/c" && nsOf(from) === "z"),
  },
  {
    name: "needs egress at the source and ingress at the destination for pod to pod",
    policies: [
      denyEgress("x"),
      policy("x", "allow-to-y-z", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchExpressions: [{ key: "ns", operator: "In", values: ["y", "z"] }] },
              },
            ],
          },
        ],
      }),
      denyIngress("y"),
    ],
    // x may send to y and z, but y admits no one: only x to z gets through.
    expect: (from, to) => nsOf(to) !== "y" && (nsOf(from) !== "x" || nsOf(to) === "z"),
  },
  {
    name: "lets a pod reach itself under deny-all in both directions",
    policies: [denyIngress("x"), denyEgress("x")],
    expect: (from, to) => nsOf(from) !== "x" && nsOf(to) !== "x",
  },
];

const PEERS: Case[] = [
  {
    name: "matches a podSelector-only peer in the policy's own namespace only",
    policies: [
      denyIngress("x"),
      allowIngress("x", [{ from: [{ podSelector: { matchLabels: { pod: "b" } } }] }]),
    ],
    expect: intoX((from) => from === "x/b"),
  },
  {
    name: "matches every pod of the selected namespaces with a namespaceSelector-only peer",
    policies: [
      denyIngress("x"),
      allowIngress("x", [{ from: [{ namespaceSelector: { matchLabels: { ns: "y" } } }] }]),
    ],
    expect: intoX((from) => nsOf(from) === "y"),
  },
  {
    name: "ANDs namespaceSelector and podSelector in one peer",
    policies: [
      denyIngress("x"),
      allowIngress("x", [
        {
          from: [
            { namespaceSelector: { matchLabels: { ns: "y" } }, podSelector: { matchLabels: { pod: "b" } } },
          ],
        },
      ]),
    ],
    expect: intoX((from) => from === "y/b"),
  },
  {
    name: "ORs separate peers of a rule",
    policies: [
      denyIngress("x"),
      allowIngress("x", [
        {
          from: [
            { namespaceSelector: { matchLabels: { ns: "y" } } },
            { podSelector: { matchLabels: { pod: "b" } } },
          ],
        },
      ]),
    ],
    expect: intoX((from) => nsOf(from) === "y" || from === "x/b"),
  },
  {
    name: "selects a pod label across all namespaces with an empty namespaceSelector",
    policies: [
      denyIngress("x"),
      allowIngress("x", [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: "c" } } }] }]),
    ],
    expect: intoX((from) => podOf(from) === "c"),
  },
  {
    name: "selects every pod of the cluster, but no outside address, with an empty namespaceSelector",
    policies: [denyIngress("x"), allowIngress("x", [{ from: [{ namespaceSelector: {} }] }])],
    expect: intoX((from) => from.includes("/")),
    keys: [...XYZ_KEYS, OUTSIDE],
  },
  {
    name: "selects the policy's namespace with an empty podSelector",
    policies: [denyIngress("x"), allowIngress("x", [{ from: [{ podSelector: {} }] }])],
    expect: intoX((from) => nsOf(from) === "x"),
  },
  {
    name: "admits everyone, outside addresses included, with a rule that has no from",
    policies: [denyIngress("x"), allowIngress("x", [{}])],
    expect: () => true,
    keys: [...XYZ_KEYS, OUTSIDE],
  },
  {
    name: "admits everyone with a rule whose from is an empty list",
    policies: [denyIngress("x"), allowIngress("x", [{ from: [] }])],
    expect: () => true,
    keys: [...XYZ_KEYS, OUTSIDE],
  },
  {
    name: "admits no one with an empty rule list",
    policies: [allowIngress("x", [])],
    expect: intoX(() => false),
    keys: [...XYZ_KEYS, OUTSIDE],
  },
  {
    name: "selects namespaces by kubernetes.io/metadata.name although the input never set it",
    policies: [
      denyIngress("x"),
      allowIngress("x", [
        { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "z" } } }] },
      ]),
    ],
    expect: intoX((from) => nsOf(from) === "z"),
  },
  {
    name: "matches In against any of its values",
    policies: [
      denyIngress("x"),
      allowIngress("x", [
        {
          from: [
            { namespaceSelector: { matchExpressions: [{ key: "ns", operator: "In", values: ["y", "z"] }] } },
          ],
        },
      ]),
    ],
    expect: intoX((from) => nsOf(from) !== "x"),
  },
  {
    name: "matches NotIn on namespaces without the label, too",
    policies: [
      denyIngress("x"),
      allowIngress("x", [
        {
          from: [
            {
              namespaceSelector: { matchExpressions: [{ key: "team", operator: "NotIn", values: ["blue"] }] },
            },
          ],
        },
      ]),
    ],
    // Only y carries team=blue; x and z have no team label at all and so are "not in".
    expect: intoX((from) => nsOf(from) !== "y"),
  },
  {
    name: "matches Exists on the key alone",
    policies: [
      denyIngress("x"),
      allowIngress("x", [
        { from: [{ namespaceSelector: { matchExpressions: [{ key: "team", operator: "Exists" }] } }] },
      ]),
    ],
    expect: intoX((from) => nsOf(from) === "y"),
  },
  {
    name: "matches DoesNotExist where the key is absent",
    policies: [
      denyIngress("x"),
      allowIngress("x", [
        { from: [{ namespaceSelector: { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] } }] },
      ]),
    ],
    expect: intoX((from) => nsOf(from) !== "y"),
  },
  {
    name: "ANDs matchLabels with matchExpressions",
    policies: [
      denyIngress("x"),
      allowIngress("x", [
        {
          from: [
            {
              namespaceSelector: {},
              podSelector: {
                matchLabels: { pod: "a" },
                matchExpressions: [{ key: "pod", operator: "NotIn", values: ["b"] }],
              },
            },
            {
              namespaceSelector: {
                matchLabels: { ns: "z" },
                matchExpressions: [{ key: "ns", operator: "In", values: ["y"] }],
              },
            },
          ],
        },
      ]),
    ],
    // The second peer can never match: no namespace is both z and y.
    expect: intoX((from) => podOf(from) === "a"),
  },
];

const IP_BLOCKS: Case[] = [
  {
    name: "matches pod addresses with an ipBlock, as the VPC CNI does",
    policies: [denyIngress("x"), allowIngress("x", [{ from: [{ ipBlock: { cidr: "10.0.2.0/24" } }] }])],
    expect: intoX((from) => nsOf(from) === "y"),
  },
  {
    name: "leaves out the addresses of except",
    policies: [
      denyIngress("x"),
      allowIngress("x", [
        { from: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.0.2.0/24", "10.0.3.3/32"] } }] },
      ]),
    ],
    expect: intoX((from) => nsOf(from) !== "y" && from !== "z/c"),
  },
  {
    name: "reaches an address excepted by one policy but allowed by another (except is not a deny)",
    policies: [
      denyIngress("x"),
      policy("x", "all-but-y", {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.0.2.0/24"] } }] }],
      }),
      policy("x", "only-y-b", {
        podSelector: {},
        ingress: [{ from: [{ ipBlock: { cidr: "10.0.2.2/32" } }] }],
      }),
    ],
    expect: intoX((from) => nsOf(from) !== "y" || from === "y/b"),
  },
  {
    name: "decides traffic from an outside address by the destination's ingress alone",
    policies: [
      denyIngress("x"),
      denyEgress("y"),
      allowIngress("x", [{ from: [{ ipBlock: { cidr: "192.0.2.0/24" } }] }]),
    ],
    expect: (from, to) => from === OUTSIDE || (nsOf(from) !== "y" && nsOf(to) !== "x"),
    keys: [...XYZ_KEYS, OUTSIDE],
  },
  {
    name: "decides traffic to an outside address by the source's egress alone",
    policies: [
      denyEgress("x"),
      policy("x", "to-internet", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }],
      }),
      denyIngress("y"),
    ],
    // The except keeps x away from every pod; the outside address answers whatever y's policies say.
    expect: (from, to) => (nsOf(from) !== "x" || to === OUTSIDE) && (to === OUTSIDE || nsOf(to) !== "y"),
    keys: [...XYZ_KEYS, OUTSIDE],
  },
];

const egressOfX = (egress: NonNullable<NetworkPolicy["spec"]>["egress"]) => [
  policy("x", "egress", { podSelector: {}, policyTypes: ["Egress"], egress }),
];

/** Cases from the upstream e2e suite and the classic recipes that are about egress to addresses. */
const EGRESS_RECIPES: Case[] = [
  {
    name: "allows egress to a server by its pod address as a /32 (e2e: egress to server in CIDR block)",
    policies: egressOfX([{ to: [{ ipBlock: { cidr: "10.0.2.2/32" } }] }]),
    expect: (from, to) => nsOf(from) !== "x" || to === "y/b",
  },
  {
    name: "enforces except on pod addresses (e2e: except clause on egress to a CIDR block)",
    policies: egressOfX([{ to: [{ ipBlock: { cidr: "10.0.2.0/24", except: ["10.0.2.2/32"] } }] }]),
    expect: (from, to) => nsOf(from) !== "x" || to === "y/a" || to === "y/c",
  },
  {
    name: "denies external egress but keeps the cluster reachable (recipe: deny external egress)",
    policies: egressOfX([{ to: [{ namespaceSelector: {} }] }, { ports: [{ port: 53, protocol: "UDP" }] }]),
    expect: (from, to) => nsOf(from) !== "x" || to !== OUTSIDE,
    keys: [...XYZ_KEYS, OUTSIDE],
  },
  {
    // The shape that blocks DNS on the VPC CNI (aws/amazon-vpc-cni-k8s#3096) is allowed by the API.
    name: "allows DNS by a ports-only rule next to an internet rule that excepts private ranges",
    policies: egressOfX([
      { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] },
      { ports: [{ port: 53, protocol: "UDP" }] },
    ]),
    expect: () => true,
    port: 53,
    protocol: "UDP",
    keys: [...XYZ_KEYS, OUTSIDE],
  },
  {
    name: "keeps other ports to pods shut under that same shape",
    policies: egressOfX([
      { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] },
      { ports: [{ port: 53, protocol: "UDP" }] },
    ]),
    expect: (from, to) => nsOf(from) !== "x" || to === OUTSIDE,
    keys: [...XYZ_KEYS, OUTSIDE],
  },
];

const onX = (ports: NonNullable<NonNullable<NetworkPolicy["spec"]>["ingress"]>[number]["ports"]) => [
  denyIngress("x"),
  allowIngress("x", [{ from: [{ namespaceSelector: { matchLabels: { ns: "y" } } }], ports }]),
];
const fromYOnly = intoX((from) => nsOf(from) === "y");
const noOne = intoX(() => false);

const PORTS: Case[] = [
  { name: "defaults a port's protocol to TCP", policies: onX([{ port: 80 }]), expect: fromYOnly, port: 80 },
  { name: "keeps other ports shut", policies: onX([{ port: 80 }]), expect: noOne, port: 81 },
  {
    name: "keeps UDP shut when only TCP is allowed on the same number",
    policies: onX([{ port: 80 }]),
    expect: noOne,
    port: 80,
    protocol: "UDP",
  },
  {
    name: "allows UDP by its own rule",
    policies: onX([{ port: 80, protocol: "UDP" }]),
    expect: fromYOnly,
    port: 80,
    protocol: "UDP",
  },
  {
    name: "keeps TCP shut when only UDP is allowed",
    policies: onX([{ port: 80, protocol: "UDP" }]),
    expect: noOne,
    port: 80,
  },
  {
    name: "tells SCTP apart from TCP on the same number",
    policies: onX([{ port: 81, protocol: "SCTP" }]),
    expect: noOne,
    port: 81,
  },
  {
    name: "allows SCTP by its own rule",
    policies: onX([{ port: 81, protocol: "SCTP" }]),
    expect: fromYOnly,
    port: 81,
    protocol: "SCTP",
  },
  {
    name: "includes the last port of an endPort range",
    policies: onX([{ port: 79, endPort: 81 }]),
    expect: fromYOnly,
    port: 81,
  },
  {
    name: "stops after endPort",
    policies: onX([{ port: 79, endPort: 81 }]),
    expect: noOne,
    port: 82,
  },
  {
    name: "allows every port of a protocol for an entry without a port",
    policies: onX([{ protocol: "UDP" }]),
    expect: fromYOnly,
    port: 5353,
    protocol: "UDP",
  },
  {
    name: "allows every protocol for a rule without ports",
    policies: onX(undefined),
    expect: fromYOnly,
    port: 81,
    protocol: "SCTP",
  },
  {
    name: "resolves an ingress named port against the destination's container port",
    policies: onX([{ port: "serve-81-tcp" }]),
    expect: fromYOnly,
    port: 81,
  },
  {
    name: "does not match a named port on another number",
    policies: onX([{ port: "serve-81-tcp" }]),
    expect: noOne,
    port: 80,
  },
  {
    name: "matches a named port only with the container port's protocol",
    policies: onX([{ port: "serve-80-udp", protocol: "UDP" }]),
    expect: fromYOnly,
    port: 80,
    protocol: "UDP",
  },
  {
    name: "does not match a named port whose rule protocol differs from the container port's",
    policies: onX([{ port: "serve-80-udp" }]),
    expect: noOne,
    port: 80,
    protocol: "UDP",
  },
  {
    name: "accepts a probe port given by name",
    policies: onX([{ port: 81 }]),
    expect: fromYOnly,
    port: "serve-81-tcp",
  },
];

describe("evaluator: Kubernetes NetworkPolicy semantics (truth tables over x/y/z × a/b/c)", () => {
  const groups = {
    isolation: ISOLATION,
    peers: PEERS,
    ipBlocks: IP_BLOCKS,
    egress: EGRESS_RECIPES,
    ports: PORTS,
  };
  for (const [group, cases] of Object.entries(groups)) {
    describe(group, () => {
      for (const c of cases) {
        it(c.name, () => {
          assertTruthTable(evaluatorOf(c.policies), c.expect, c.port ?? 80, c.protocol, c.keys);
        });
      }
    });
  }

  it("gives the same verdicts whatever the order of the policies", () => {
    for (const c of [...ISOLATION, ...PEERS, ...IP_BLOCKS, ...EGRESS_RECIPES, ...PORTS]) {
      assertTruthTable(evaluatorOf([...c.policies].reverse()), c.expect, c.port ?? 80, c.protocol, c.keys);
    }
  });

  describe("named ports in egress rules", () => {
    // y's pods serve `http` on 8080, z's on 9090; x may send to any destination's `http` only.
    const estate = xyzEstate(egressOfX([{ ports: [{ port: "http" }] }]));
    for (const pod of estate.pods) {
      if (pod.namespace !== "x")
        pod.ports = [{ name: "http", containerPort: pod.namespace === "y" ? 8080 : 9090 }];
    }
    const evaluator = new NetworkPolicyEvaluator(estate);
    const keys = [...XYZ_KEYS, OUTSIDE];

    it("resolves the name at each destination pod", () => {
      assertTruthTable(
        evaluator,
        (from, to) => nsOf(from) !== "x" || nsOf(to) === "y",
        8080,
        undefined,
        keys,
      );
      assertTruthTable(
        evaluator,
        (from, to) => nsOf(from) !== "x" || nsOf(to) === "z",
        9090,
        undefined,
        keys,
      );
    });

    it("never matches an address outside the pods", () => {
      const result = evaluator.probe({ from: { namespace: "x", pod: "a" }, to: { ip: OUTSIDE }, port: 8080 });
      assert.equal(result.verdict, "deny");
    });
  });
});
