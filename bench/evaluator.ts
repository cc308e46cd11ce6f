/**
 * The evaluator's full matrix on estates shaped like the area model (DESIGN.md sections 2 and 9): per
 * namespace 3 pods and 7 policies (default deny both ways, same namespace, allowed areas, the area's
 * ingress controller, monitoring, DNS, egress to the cluster, the area's VPCs and the internet), every
 * tenth namespace in the strict phase (6 policies: only its endpoint pods take the area's traffic).
 * Target: seconds for 1,000 namespaces, flat cost per pair.
 */

import { PRIVATE_RANGES } from "../core/cidr";
import type { NetworkPolicy, NetworkPolicySpec } from "../core/k8s";
import {
  AREA_LABEL,
  CONTROLLER_POD_LABEL,
  ENDPOINT_LABEL,
  ENDPOINT_VALUE,
  NAMESPACE_NAME_LABEL,
} from "../core/labels";
import {
  type Endpoint,
  type Estate,
  NetworkPolicyEvaluator,
  type PodInfo,
  type PortSpec,
} from "../evaluator";
import { type Benchmark, formatDuration, timed } from "./benchmark";

const SIZES = [100, 1000];
const RUNS = 3;

const AREAS = ["publicfrontal", "backoffice", "internalservices"] as const;
type Area = (typeof AREAS)[number];

/** Migration phase: which areas' namespaces may open connections to a namespace of the area. */
const INGRESS_FROM: Record<Area, Area[]> = {
  publicfrontal: ["publicfrontal"],
  backoffice: ["publicfrontal", "backoffice"],
  internalservices: ["publicfrontal", "backoffice", "internalservices"],
};

const CLUSTER_CIDRS = ["10.20.0.0/19", "10.20.32.0/19"];
const KAFKA_CIDR = "10.50.0.0/16";
const AREA_VPC: Record<Area, string> = {
  publicfrontal: "10.30.0.0/16",
  backoffice: "10.20.0.0/16",
  internalservices: "10.40.0.0/16",
};

const PORTS: PortSpec[] = [
  { port: "http" },
  { port: 443 },
  { port: 53, protocol: "UDP" },
  { port: "metrics" },
];
const OUTSIDE: Endpoint[] = [
  { ip: "203.0.113.50" },
  { ip: "10.30.0.10" },
  { ip: "10.40.0.10" },
  { ip: "10.50.0.10" },
  { ip: "169.254.169.254" },
];

const byName = (name: string) => ({ matchLabels: { [NAMESPACE_NAME_LABEL]: name } });

function policy(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { namespace, name }, spec };
}

function areaPolicies(namespace: string, area: Area, strict: boolean): NetworkPolicy[] {
  const controller = {
    namespaceSelector: byName(`ingress-${area}`),
    podSelector: { matchLabels: { [CONTROLLER_POD_LABEL]: area } },
  };
  const ingress: NetworkPolicy[] = strict
    ? [
        policy(namespace, "allow-area-to-endpoints", {
          podSelector: { matchLabels: { [ENDPOINT_LABEL]: ENDPOINT_VALUE } },
          ingress: [{ from: [{ namespaceSelector: { matchLabels: { [AREA_LABEL]: area } } }, controller] }],
        }),
      ]
    : [
        policy(namespace, "allow-same-namespace", {
          podSelector: {},
          ingress: [{ from: [{ podSelector: {} }] }],
        }),
        policy(namespace, "allow-from-areas", {
          podSelector: {},
          ingress: [
            {
              from: [
                {
                  namespaceSelector: {
                    matchExpressions: [{ key: AREA_LABEL, operator: "In", values: INGRESS_FROM[area] }],
                  },
                },
              ],
            },
          ],
        }),
        policy(namespace, "allow-ingress-controller", {
          podSelector: {},
          ingress: [{ from: [controller], ports: [{ port: "http" }] }],
        }),
      ];
  return [
    policy(namespace, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    ...ingress,
    policy(namespace, "allow-monitoring", {
      podSelector: {},
      ingress: [
        {
          from: [
            { namespaceSelector: byName("monitoring"), podSelector: { matchLabels: { app: "prometheus" } } },
          ],
          ports: [{ port: "metrics" }],
        },
      ],
    }),
    policy(namespace, "allow-dns", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            {
              namespaceSelector: byName("kube-system"),
              podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
          ],
          ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
          ],
        },
      ],
    }),
    policy(namespace, "allow-egress", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [
            ...CLUSTER_CIDRS.map((cidr) => ({ ipBlock: { cidr } })),
            { ipBlock: { cidr: AREA_VPC[area] } },
            { ipBlock: { cidr: KAFKA_CIDR } },
            { ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE_RANGES, "169.254.0.0/16"] } },
          ],
        },
      ],
    }),
  ];
}

/** Pod addresses from 10.20.0.10 upwards, inside the first cluster CIDR. */
function podAddress(index: number): string {
  const n = 10 + index;
  return `10.20.${n >> 8}.${n & 255}`;
}

function areaEstate(namespaceCount: number): Estate {
  const estate: Estate = { namespaces: [], pods: [], policies: [] };
  const addPod = (pod: Omit<PodInfo, "ip">) =>
    estate.pods.push({ ...pod, ip: podAddress(estate.pods.length) });

  estate.namespaces.push({ name: "kube-system" }, { name: "monitoring" });
  for (const n of [1, 2]) {
    addPod({
      namespace: "kube-system",
      name: `coredns-${n}`,
      labels: { "k8s-app": "kube-dns" },
      ports: [
        { name: "dns", containerPort: 53, protocol: "UDP" },
        { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
      ],
    });
  }
  addPod({ namespace: "monitoring", name: "prometheus-0", labels: { app: "prometheus" }, ports: [] });
  for (const area of AREAS) {
    estate.namespaces.push({ name: `ingress-${area}` });
    addPod({
      namespace: `ingress-${area}`,
      name: "controller-0",
      labels: { [CONTROLLER_POD_LABEL]: area },
      ports: [{ name: "https", containerPort: 443 }],
    });
  }

  for (let i = 0; i < namespaceCount; i++) {
    const name = `team-${String(i).padStart(4, "0")}`;
    const area = AREAS[i % AREAS.length]!;
    estate.namespaces.push({ name, labels: { [AREA_LABEL]: area } });
    for (const [pod, labels] of [
      ["api", { app: "api", [ENDPOINT_LABEL]: ENDPOINT_VALUE }],
      ["worker", { app: "worker" }],
      ["cache", { app: "cache" }],
    ] as const) {
      addPod({
        namespace: name,
        name: pod,
        labels,
        ports: [
          { name: "http", containerPort: 8080 },
          { name: "metrics", containerPort: 9090 },
        ],
      });
    }
    estate.policies.push(...areaPolicies(name, area, i % 10 === 9));
  }
  return estate;
}

interface Measurement {
  namespaces: number;
  pods: number;
  policies: number;
  pairs: number;
  cells: number;
  evaluatorMs: number;
  matrixMs: number;
  scanMs: number;
  probeMsPerCell: number;
}

function measure(namespaceCount: number): Measurement {
  const estate = areaEstate(namespaceCount);
  const built = timed(() => new NetworkPolicyEvaluator(estate));
  const evaluator = built.result;
  const endpoints = [...evaluator.podEndpoints(), ...OUTSIDE];
  const matrix = timed(() => evaluator.matrix(endpoints, endpoints, PORTS));
  const scan = timed(() => matrix.result.counts());

  // Pair-by-pair probes on a fixed sample, for comparison and as a spot check of the matrix.
  const sample = 5_000;
  let seed = 42;
  const next = (bound: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % bound;
  };
  const cells = Array.from({ length: sample }, () => [
    next(endpoints.length),
    next(endpoints.length),
    next(PORTS.length),
  ]);
  const probed = timed(() =>
    cells.map(([s, d, p]) =>
      matrix.result.applies(s!, d!, p!) ? matrix.result.explain(s!, d!, p!).verdict === "allow" : undefined,
    ),
  );
  probed.result.forEach((allowed, i) => {
    const [s, d, p] = cells[i]!;
    if (allowed !== undefined && allowed !== matrix.result.allowed(s!, d!, p!)) {
      throw new Error(`matrix and probe() disagree on ${JSON.stringify(matrix.result.explain(s!, d!, p!))}`);
    }
  });

  return {
    namespaces: namespaceCount,
    pods: estate.pods.length,
    policies: estate.policies.length,
    pairs: endpoints.length ** 2,
    cells: endpoints.length ** 2 * PORTS.length,
    evaluatorMs: built.ms,
    matrixMs: matrix.ms,
    scanMs: scan.ms,
    probeMsPerCell: probed.ms / sample,
  };
}

export const evaluator: Benchmark = {
  name: "evaluator",
  run(log) {
    // Warm the JIT on a small estate so the first size is not charged for compilation.
    measure(20);
    log(
      `Full matrix: every pod and ${OUTSIDE.length} outside addresses, both ways, on ${PORTS.length} ports.`,
    );
    log("");
    log(
      "| namespaces | pods | policies | pairs | evaluator | matrix | all cells | total | per pair | probe() per cell |",
    );
    log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const size of SIZES) {
      // The best of a few runs: on a shared machine the others measure its neighbours and the GC.
      const runs = Array.from({ length: RUNS }, () => measure(size));
      const totalOf = (m: Measurement) => m.evaluatorMs + m.matrixMs + m.scanMs;
      const m = runs.reduce((best, run) => (totalOf(run) < totalOf(best) ? run : best));
      const total = totalOf(m);
      log(
        `| ${m.namespaces.toLocaleString("en")} | ${m.pods.toLocaleString("en")} | ${m.policies.toLocaleString("en")} ` +
          `| ${m.pairs.toLocaleString("en")} | ${formatDuration(m.evaluatorMs)} | ${formatDuration(m.matrixMs)} ` +
          `| ${formatDuration(m.scanMs)} | ${formatDuration(total)} | ${formatDuration(total / m.pairs)} ` +
          `| ${formatDuration(m.probeMsPerCell)} |`,
      );
    }
    log("");
    log(
      `Best of ${RUNS} runs. evaluator: validate and index the estate; matrix: build the bitsets; ` +
        "all cells: read every cell once; per pair: the total over pairs (each pair has all the ports); " +
        "probe(): one cell decided pair by pair, for comparison.",
    );
  },
};
