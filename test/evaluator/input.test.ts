import assert from "node:assert/strict";
import { answerProbeFile, formatInputIssue, InputError, NetworkPolicyEvaluator } from "../../evaluator";
import { xyzEstate } from "./estate";

type File = Record<string, any>;

/** A valid probe file: x/y/z, one policy, one probe. Each case breaks one thing. */
function validFile(): File {
  return {
    ...xyzEstate([
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { namespace: "x", name: "web" },
        spec: {
          podSelector: { matchLabels: { pod: "a" } },
          ingress: [
            {
              from: [
                { namespaceSelector: { matchExpressions: [{ key: "ns", operator: "In", values: ["y"] }] } },
              ],
              ports: [{ port: 80 }],
            },
          ],
          egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16", except: ["10.0.2.0/24"] } }] }],
        },
      },
    ]),
    probes: [{ from: { namespace: "y", pod: "a" }, to: { namespace: "x", pod: "a" }, port: 80 }],
  };
}

interface BadInput {
  name: string;
  edit: (file: File) => void;
  expect: { path: string; message: RegExp }[];
}

const selector = (file: File) =>
  file.policies[0].spec.ingress[0].from[0].namespaceSelector.matchExpressions[0];
const ipBlock = (file: File) => file.policies[0].spec.egress[0].to[0].ipBlock;
const policyPort = (file: File) => file.policies[0].spec.ingress[0].ports[0];
const probe = (file: File) => file.probes[0];

const CASES: BadInput[] = [
  {
    name: "refuses a probe naming a pod the namespace does not have",
    edit: (f) => (probe(f).to.pod = "web-9"),
    expect: [{ path: "probes[0].to.pod", message: /"web-9" is not a pod of namespace "x"/ }],
  },
  {
    name: "refuses a probe naming an unknown namespace",
    edit: (f) => (probe(f).from.namespace = "shop"),
    expect: [{ path: "probes[0].from.namespace", message: /"shop" is not a namespace of the input/ }],
  },
  {
    name: "refuses a port name the destination pod lacks, listing the names it has",
    edit: (f) => (probe(f).port = "metrics"),
    expect: [
      { path: "probes[0].port", message: /"metrics" is not a port of pod x\/a \(it has serve-80-tcp, / },
    ],
  },
  {
    name: "refuses a named port towards an address",
    edit: (f) => Object.assign(probe(f), { to: { ip: "192.0.2.1" }, port: "serve-80-tcp" }),
    expect: [{ path: "probes[0].port", message: /names a container port, but the destination is not a pod/ }],
  },
  {
    name: "refuses a protocol that contradicts the named port",
    edit: (f) => Object.assign(probe(f), { port: "serve-80-udp", protocol: "TCP" }),
    expect: [
      { path: "probes[0].protocol", message: /differs from port "serve-80-udp" of pod x\/a, which is UDP/ },
    ],
  },
  {
    name: "refuses a probe between two addresses",
    edit: (f) => Object.assign(probe(f), { from: { ip: "192.0.2.1" }, to: { ip: "192.0.2.2" } }),
    expect: [{ path: "probes[0]", message: /has no pod at either end/ }],
  },
  {
    name: "refuses a lower-case protocol and says how to write it",
    edit: (f) => (probe(f).protocol = "udp"),
    expect: [
      { path: "probes[0].protocol", message: /"udp" is not a protocol; use TCP, UDP, SCTP; write "UDP"/ },
    ],
  },
  {
    name: "refuses an unknown probe field rather than ignoring it",
    edit: (f) => (probe(f).protcol = "UDP"),
    expect: [{ path: "probes[0].protcol", message: /is not a field of a probe/ }],
  },
  {
    name: "refuses a probe without port",
    edit: (f) => delete probe(f).port,
    expect: [{ path: "probes[0].port", message: /\(missing\) is required/ }],
  },
  {
    name: "refuses an operator Kubernetes does not know",
    edit: (f) => (selector(f).operator = "in"),
    expect: [
      {
        path: "policies[0].spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator",
        message: /"in" is not an operator; use In, NotIn, Exists, DoesNotExist/,
      },
    ],
  },
  {
    name: "refuses In without values",
    edit: (f) => delete selector(f).values,
    expect: [
      {
        path: "policies[0].spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values",
        message: /must list at least one value for operator In/,
      },
    ],
  },
  {
    name: "refuses values with Exists",
    edit: (f) => (selector(f).operator = "Exists"),
    expect: [
      {
        path: "policies[0].spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values",
        message: /must be empty for operator Exists/,
      },
    ],
  },
  {
    name: "refuses a label key Kubernetes would reject",
    edit: (f) => (f.policies[0].spec.podSelector.matchLabels = { "bad key": "a" }),
    expect: [
      {
        path: 'policies[0].spec.podSelector.matchLabels["bad key"]',
        message: /as a label key is not a valid/,
      },
    ],
  },
  {
    name: "refuses a misspelt selector field instead of widening the rule",
    edit: (f) => {
      const peer = f.policies[0].spec.ingress[0].from[0];
      peer.namespaceselector = peer.namespaceSelector;
      delete peer.namespaceSelector;
    },
    expect: [
      { path: "policies[0].spec.ingress[0].from[0].namespaceselector", message: /is not a field of a peer/ },
      { path: "policies[0].spec.ingress[0].from[0]", message: /selects nothing/ },
    ],
  },
  {
    name: "refuses a peer mixing ipBlock and selectors",
    edit: (f) => (f.policies[0].spec.egress[0].to[0].podSelector = {}),
    expect: [{ path: "policies[0].spec.egress[0].to[0]", message: /mixes ipBlock with selectors/ }],
  },
  {
    name: "refuses a CIDR without mask and suggests /32",
    edit: (f) => (ipBlock(f).cidr = "10.0.0.1"),
    expect: [
      {
        path: "policies[0].spec.egress[0].to[0].ipBlock.cidr",
        message: /has no mask; did you mean "10\.0\.0\.1\/32"/,
      },
    ],
  },
  {
    name: "refuses a CIDR with host bits",
    edit: (f) => (ipBlock(f).cidr = "10.0.0.1/16"),
    expect: [{ path: "policies[0].spec.egress[0].to[0].ipBlock.cidr", message: /has host bits set/ }],
  },
  {
    name: "refuses an except outside its cidr",
    edit: (f) => (ipBlock(f).except = ["10.1.0.0/24"]),
    expect: [
      {
        path: "policies[0].spec.egress[0].to[0].ipBlock.except[0]",
        message: /is not strictly inside 10\.0\.0\.0\/16/,
      },
    ],
  },
  {
    name: "refuses port 0",
    edit: (f) => (policyPort(f).port = 0),
    expect: [{ path: "policies[0].spec.ingress[0].ports[0].port", message: /is not a port/ }],
  },
  {
    name: "refuses a port number written as a string",
    edit: (f) => (policyPort(f).port = "80"),
    expect: [{ path: "policies[0].spec.ingress[0].ports[0].port", message: /write it without quotes/ }],
  },
  {
    name: "refuses endPort below port",
    edit: (f) => Object.assign(policyPort(f), { port: 8080, endPort: 80 }),
    expect: [{ path: "policies[0].spec.ingress[0].ports[0].endPort", message: /is below port 8080/ }],
  },
  {
    name: "refuses endPort after a named port",
    edit: (f) => Object.assign(policyPort(f), { port: "http", endPort: 90 }),
    expect: [{ path: "policies[0].spec.ingress[0].ports[0].endPort", message: /needs a numeric `port`/ }],
  },
  {
    name: "refuses a policy type that does not exist",
    edit: (f) => (f.policies[0].spec.policyTypes = ["Ingress", "Egres"]),
    expect: [{ path: "policies[0].spec.policyTypes[1]", message: /"Egres" is not a policy type/ }],
  },
  {
    name: "refuses a policy without podSelector",
    edit: (f) => delete f.policies[0].spec.podSelector,
    expect: [{ path: "policies[0].spec.podSelector", message: /is required; \{\} selects every pod/ }],
  },
  {
    name: "refuses a policy in a namespace the input does not have",
    edit: (f) => (f.policies[0].metadata.namespace = "shop"),
    expect: [{ path: "policies[0].metadata.namespace", message: /"shop" is not a namespace of the input/ }],
  },
  {
    name: "refuses a pod in an unknown namespace",
    edit: (f) => (f.pods[0].namespace = "shop"),
    expect: [{ path: "pods[0].namespace", message: /"shop" is not a namespace of the input/ }],
  },
  {
    name: "refuses two pods with one address",
    edit: (f) => (f.pods[1].ip = f.pods[0].ip),
    expect: [{ path: "pods[1].ip", message: /is also the address of pod x\/a/ }],
  },
  {
    name: "refuses a malformed IPv6 pod address",
    edit: (f) => (f.pods[0].ip = "2001:db8:::1"),
    expect: [{ path: "pods[0].ip", message: /is not an IPv4 or IPv6 address/ }],
  },
  {
    name: "refuses an IPv6 ipBlock with host bits, naming its network",
    edit: (f) => {
      ipBlock(f).cidr = "fd00:10::5/64";
      ipBlock(f).except = [];
    },
    expect: [
      { path: "policies[0].spec.egress[0].to[0].ipBlock.cidr", message: /host bits set.*"fd00:10::\/64"/ },
    ],
  },
  {
    name: "refuses an IPv6 except outside its IPv4 cidr",
    edit: (f) => (ipBlock(f).except = ["fd00::/64"]),
    expect: [
      {
        path: "policies[0].spec.egress[0].to[0].ipBlock.except[0]",
        message: /is not strictly inside 10\.0\.0\.0\/16/,
      },
    ],
  },
  {
    name: "refuses two container ports with one name",
    edit: (f) => (f.pods[0].ports[1].name = "serve-80-tcp"),
    expect: [{ path: "pods[0].ports[1].name", message: /names two ports of the pod/ }],
  },
  {
    name: "refuses a namespace name label that contradicts the name",
    edit: (f) => (f.namespaces[0].labels["kubernetes.io/metadata.name"] = "prod"),
    expect: [
      {
        path: 'namespaces[0].labels["kubernetes.io/metadata.name"]',
        message: /"prod" differs from the namespace's name "x"/,
      },
    ],
  },
  {
    name: "refuses a file without probes",
    edit: (f) => delete f.probes,
    expect: [{ path: "probes", message: /is required/ }],
  },
  {
    name: "refuses an unknown top-level field",
    edit: (f) => (f.polices = []),
    expect: [{ path: "polices", message: /is not a field of a probe file/ }],
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

describe("evaluator: input validation", () => {
  it("accepts the valid file every case starts from", () => {
    assert.equal(answerProbeFile(validFile()).length, 1);
  });

  for (const c of CASES) {
    it(c.name, () => {
      // GIVEN a valid file with one thing broken
      const file = validFile();
      c.edit(file);
      // WHEN it is evaluated
      const error = failure(() => answerProbeFile(file));
      // THEN each problem names its field, and nothing else is reported
      assert.deepEqual(
        error.issues.map((issue) => issue.path),
        c.expect.map((e) => e.path),
        error.message,
      );
      for (const [i, issue] of error.issues.entries())
        assert.match(formatInputIssue(issue), c.expect[i]!.message);
    });
  }

  it("reports every problem of a file at once", () => {
    const file = validFile();
    selector(file).operator = "in";
    ipBlock(file).cidr = "10.0.0.1";
    file.pods[0].ip = "10.0.1";
    const error = failure(() => answerProbeFile(file));
    assert.equal(error.issues.length, 3);
    assert.match(error.message, /^Invalid evaluator input \(3 problems\):\n/);
  });

  it("checks probes given to the API as well", () => {
    const evaluator = new NetworkPolicyEvaluator(xyzEstate([]));
    const error = failure(() =>
      evaluator.probe({ from: { namespace: "y", pod: "a" }, to: { namespace: "x", pod: "q" }, port: 80 }),
    );
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ["probe.to.pod"],
    );
  });

  it("checks estates given to the API as well", () => {
    const estate = xyzEstate([]);
    estate.pods[0]!.ip = "10.0.0.0/24";
    const error = failure(() => new NetworkPolicyEvaluator(estate));
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ["pods[0].ip"],
    );
  });

  it("checks matrix endpoints and port names", () => {
    const evaluator = new NetworkPolicyEvaluator(xyzEstate([]));
    const error = failure(() =>
      evaluator.matrix([{ namespace: "x", pod: "d" }], evaluator.podEndpoints(), [
        { port: 80 },
        { port: "metrics" },
      ]),
    );
    assert.deepEqual(
      error.issues.map((issue) => issue.path),
      ["sources[0].pod", "ports[1].port"],
    );
  });
});
