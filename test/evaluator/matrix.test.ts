import assert from "node:assert/strict";
import fc from "fast-check";
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from "../../core/k8s";
import { type Endpoint, type Estate, NetworkPolicyEvaluator, type PortSpec } from "../../evaluator";
import { endpoint, evaluatorOf, policy, XYZ_KEYS } from "./estate";

// Small pools, so random policies often select the same pods and cover each other's gaps.
const POD_SELECTORS: LabelSelector[] = [
  {},
  { matchLabels: { app: "a" } },
  { matchLabels: { app: "b", tier: "web" } },
  { matchExpressions: [{ key: "app", operator: "In", values: ["a", "c"] }] },
  { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] },
  { matchExpressions: [{ key: "tier", operator: "Exists" }] },
  { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] },
];
const NAMESPACE_SELECTORS: LabelSelector[] = [
  {},
  { matchLabels: { team: "red" } },
  { matchLabels: { "kubernetes.io/metadata.name": "y" } },
  { matchExpressions: [{ key: "team", operator: "NotIn", values: ["red"] }] },
  { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] },
];
const IP_BLOCKS = [
  { cidr: "10.0.0.0/16" },
  { cidr: "10.0.0.0/16", except: ["10.0.1.0/24"] },
  { cidr: "10.0.1.0/24", except: ["10.0.1.2/32"] },
  { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] },
  { cidr: "10.0.2.2/32" },
  { cidr: "192.0.2.0/24" },
];
const POLICY_PORTS: NetworkPolicyPort[] = [
  { port: 80 },
  { port: 80, endPort: 81 },
  { port: "http" },
  { port: "dns", protocol: "UDP" },
  { port: 53, protocol: "UDP" },
  { protocol: "UDP" },
  { port: 81, protocol: "SCTP" },
];
const MATRIX_PORTS: PortSpec[] = [
  { port: 80 },
  { port: 81 },
  { port: 53, protocol: "UDP" },
  { port: 81, protocol: "SCTP" },
  { port: "http" },
  { port: "dns" },
];
const OUTSIDE: Endpoint[] = [{ ip: "192.0.2.10" }, { ip: "10.0.1.200" }, { ip: "203.0.113.5" }];

const peer: fc.Arbitrary<NetworkPolicyPeer> = fc.oneof(
  fc.constantFrom(...POD_SELECTORS).map((podSelector) => ({ podSelector })),
  fc.constantFrom(...NAMESPACE_SELECTORS).map((namespaceSelector) => ({ namespaceSelector })),
  fc
    .tuple(fc.constantFrom(...NAMESPACE_SELECTORS), fc.constantFrom(...POD_SELECTORS))
    .map(([namespaceSelector, podSelector]) => ({ namespaceSelector, podSelector })),
  fc.constantFrom(...IP_BLOCKS).map((ipBlock) => ({ ipBlock })),
);
const peers = fc.option(fc.array(peer, { maxLength: 3 }), { nil: undefined });
const ports = fc.option(fc.subarray(POLICY_PORTS, { maxLength: 2 }), { nil: undefined });

const spec: fc.Arbitrary<NetworkPolicySpec> = fc
  .record({
    podSelector: fc.constantFrom(...POD_SELECTORS),
    policyTypes: fc.constantFrom(undefined, ["Ingress"], ["Egress"], ["Ingress", "Egress"]),
    ingress: fc.option(fc.array(fc.record({ from: peers, ports }), { maxLength: 2 }), { nil: undefined }),
    egress: fc.option(fc.array(fc.record({ to: peers, ports }), { maxLength: 2 }), { nil: undefined }),
  })
  .map((s) => JSON.parse(JSON.stringify(s)));

const NAMESPACE_NAMES = ["x", "y", "z"];

const estate: fc.Arbitrary<Estate> = fc
  .record({
    teams: fc.tuple(...NAMESPACE_NAMES.map(() => fc.constantFrom(undefined, "red", "blue"))),
    pods: fc.tuple(
      ...NAMESPACE_NAMES.map(() =>
        fc.array(
          fc.record({
            app: fc.constantFrom("a", "b", "c"),
            tier: fc.constantFrom(undefined, "web", "db"),
            http: fc.constantFrom(undefined, 80, 8080),
            dns: fc.boolean(),
          }),
          { minLength: 1, maxLength: 3 },
        ),
      ),
    ),
    policies: fc.array(fc.tuple(fc.constantFrom(...NAMESPACE_NAMES), spec), { maxLength: 5 }),
  })
  .map(({ teams, pods, policies }) => ({
    namespaces: NAMESPACE_NAMES.map((name, i) => ({ name, labels: labelsOf({ team: teams[i] }) })),
    pods: NAMESPACE_NAMES.flatMap((namespace, i) =>
      pods[i]!.map((p, j) => ({
        namespace,
        name: `p${j}`,
        labels: labelsOf({ app: p.app, tier: p.tier }),
        ip: `10.0.${i + 1}.${j + 1}`,
        ports: [
          ...(p.http ? [{ name: "http", containerPort: p.http }] : []),
          ...(p.dns ? [{ name: "dns", containerPort: 53, protocol: "UDP" as const }] : []),
        ],
      })),
    ),
    policies: policies.map(([namespace, s], i) => policy(namespace, `p${i}`, s)),
  }));

function labelsOf(labels: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(labels).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** The matrix ports whose names some pod has (a name no pod has is refused as a typo). */
function portsFor(subject: Estate): PortSpec[] {
  const names = new Set(
    subject.pods.flatMap((pod) => (pod.ports ?? []).flatMap((p) => (p.name ? [p.name] : []))),
  );
  return MATRIX_PORTS.filter((p) => typeof p.port === "number" || names.has(p.port));
}

describe("evaluator: reachability matrix", () => {
  it("agrees with probe() on every cell of random small estates", () => {
    let cells = 0;
    fc.assert(
      fc.property(estate, (subject) => {
        const evaluator = new NetworkPolicyEvaluator(subject);
        const endpoints = [...evaluator.podEndpoints(), ...OUTSIDE];
        const matrixPorts = portsFor(subject);
        const matrix = evaluator.matrix(endpoints, endpoints, matrixPorts);
        endpoints.forEach((from, s) => {
          endpoints.forEach((to, d) => {
            matrixPorts.forEach((port, p) => {
              const probe = { from, to, ...port };
              const applies = evaluator.probeIssues(probe).length === 0;
              assert.equal(matrix.applies(s, d, p), applies, JSON.stringify(probe));
              if (!applies) return;
              cells++;
              const verdict = evaluator.probe(probe).verdict;
              assert.equal(matrix.allowed(s, d, p), verdict === "allow", JSON.stringify({ probe, subject }));
            });
          });
        });
      }),
      { numRuns: 150 },
    );
    // About 350 cells an estate: far fewer would mean the estates lost their pods or ports.
    assert.ok(cells > 20_000, `${cells} cells checked`);
  });

  it("reaches an address excepted by one policy whenever another policy allows it", () => {
    const covering = fc.constantFrom(
      { cidr: "10.0.0.0/8", except: "10.0.2.0/24" },
      { cidr: "0.0.0.0/0", except: "10.0.0.0/8" },
      { cidr: "10.0.2.0/24", except: "10.0.2.2/32" },
    );
    fc.assert(
      fc.property(estate, covering, fc.boolean(), (subject, block, reversed) => {
        // GIVEN a pod of x under random policies, plus one policy excepting a range and one allowing it
        const target = subject.pods.find((pod) => pod.namespace === "x")!;
        const excepting = policy("x", "excepting", {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: block.cidr, except: [block.except] } }] }],
        });
        const allowing = policy("x", "allowing", {
          podSelector: {},
          ingress: [{ from: [{ ipBlock: { cidr: block.except } }] }],
        });
        const added = reversed ? [allowing, excepting] : [excepting, allowing];
        const evaluator = new NetworkPolicyEvaluator({
          ...subject,
          policies: [...subject.policies, ...added],
        });
        // WHEN anything in the excepted range connects to it
        const candidates = [
          ...subject.pods.map((pod) => pod.ip),
          ...OUTSIDE.map((e) => (e as { ip: string }).ip),
        ];
        const inside = [
          block.except.split("/")[0]!,
          ...candidates.filter((ip) => rangeContains(block.except, ip)),
        ];
        for (const source of inside) {
          const result = evaluator.probe({
            from: { ip: source },
            to: { namespace: "x", pod: target.name },
            port: 80,
          });
          // THEN the destination's ingress lets it in
          assert.equal(result.ingress.allowed, true, `${source}: ${result.reason}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("answers the same matrix whatever the order of the policies", () => {
    fc.assert(
      fc.property(estate, (subject) => {
        const endpoints = (e: NetworkPolicyEvaluator) => [...e.podEndpoints(), ...OUTSIDE];
        const forward = new NetworkPolicyEvaluator(subject);
        const backward = new NetworkPolicyEvaluator({
          ...subject,
          policies: [...subject.policies].reverse(),
        });
        const matrixPorts = portsFor(subject);
        const a = forward.matrix(endpoints(forward), endpoints(forward), matrixPorts);
        const b = backward.matrix(endpoints(backward), endpoints(backward), matrixPorts);
        assert.deepEqual(a.counts(), b.counts());
      }),
      { numRuns: 50 },
    );
  });

  it("marks cells without a pod at either end, or without the named port, as not applying", () => {
    const evaluator = evaluatorOf([]);
    const outside = [{ ip: "192.0.2.1" }, { ip: "192.0.2.2" }];
    const endpoints = [...evaluator.podEndpoints(), ...outside];
    const matrix = evaluator.matrix(endpoints, endpoints, [{ port: 80 }, { port: "serve-81-sctp" }]);
    const pods = XYZ_KEYS.length;
    const cells = endpoints.length ** 2;
    // Port 80: the 2 × 2 address pairs do not apply. The named port: no cell towards an address does.
    const notApplicable = 2 * 2 + endpoints.length * 2;
    assert.deepEqual(matrix.counts(), { allowed: 2 * cells - notApplicable, denied: 0, notApplicable });
    assert.equal(matrix.applies(pods, pods + 1, 0), false);
    assert.equal(matrix.allowed(pods, pods + 1, 0), false);
  });

  it("explains any cell with the probe's attribution", () => {
    const evaluator = evaluatorOf([policy("y", "deny", { podSelector: {}, policyTypes: ["Ingress"] })]);
    const sources = [endpoint("x/a")];
    const destinations = [endpoint("y/b"), endpoint("z/c")];
    const matrix = evaluator.matrix(sources, destinations, [{ port: "serve-81-tcp" }]);
    assert.equal(matrix.allowed(0, 0, 0), false);
    assert.equal(matrix.allowed(0, 1, 0), true);
    const explained = matrix.explain(0, 0, 0);
    assert.deepEqual(explained.ingress.isolatedBy, ["y/deny"]);
    assert.deepEqual(explained.connection, { port: 81, protocol: "TCP", portName: "serve-81-tcp" });
  });
});

function rangeContains(cidr: string, address: string): boolean {
  const toNumber = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const [base, bits] = cidr.split("/") as [string, string];
  const size = 2 ** (32 - Number(bits));
  const start = toNumber(base);
  return toNumber(address) >= start && toNumber(address) < start + size;
}
