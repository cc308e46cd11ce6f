/**
 * The evaluator's full matrix on generated estates (see `bench/estate.ts`), over the stack's own policies:
 * the namespaces and NetworkPolicies the model plans for the estate (`planKubernetes`, rendered by
 * `toNetworkPolicy` as the components declare them), and three pods per area namespace (the probe
 * estate's endpoint and worker, and a cache), with the controllers, tools and cluster DNS. Target: seconds
 * for 1,000 namespaces, flat cost per pair.
 *
 * The first table is the estate in networkPolicy mode (prod's), the namespace policies alone; the second in
 * clusterTier mode (dev's), with the stack's own cluster tier (`planClusterPolicies`): their number does not
 * depend on the estate's size, so the per-pair cost of the tiers shows next to the other mode.
 */

import { probeEstate, SERVICE_PORT } from "../analysis/estate";
import type { Namespace } from "../core/k8s";
import { type Endpoint, type Estate, NetworkPolicyEvaluator, type PortSpec } from "../evaluator";
import { planClusterPolicies } from "../model/clusterPolicies";
import { parseConfig } from "../model/config";
import { planKubernetes } from "../model/kubernetes";
import { toNetworkPolicy } from "../model/policy";
import { rawConfigOf } from "../model/stackFile";
import { type Benchmark, type BenchOptions, formatDuration, timed } from "./benchmark";
import { estateConfig } from "./estate";

const DEFAULT_SIZES = [100, 1000];
const RUNS = 3;

const PORTS: PortSpec[] = [{ port: "http" }, { port: 443 }, { port: 53, protocol: "UDP" }, { port: 3000 }];
/** The internet, the publicfrontal, natonly and Kafka VPCs, and instance metadata. */
const OUTSIDE: Endpoint[] = [
  { ip: "203.0.113.50" },
  { ip: "10.30.0.10" },
  { ip: "10.40.0.10" },
  { ip: "10.50.0.10" },
  { ip: "169.254.169.254" },
];

/**
 * The estate in the mode it is measured in: with the tiers, dev's clusterTier mode and its cluster tier;
 * without, the same estate in networkPolicy mode, whose namespace policies hold the boundaries alone.
 */
function areaEstate(namespaceCount: number, tiers: boolean): Estate {
  const config = parseConfig(
    rawConfigOf(estateConfig(namespaceCount, tiers ? "clusterTier" : "networkPolicy")),
  );
  const planned = planKubernetes(config);
  const namespaces: Namespace[] = planned.map(({ namespace }) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: namespace.name, labels: { ...namespace.labels } },
  }));
  const policies = planned.flatMap(({ policies: specs }) => specs.map((spec) => toNetworkPolicy(spec)));
  const caches = config.namespaces.map((ns) => ({
    namespace: ns.name,
    name: "cache",
    labels: { app: "cache" },
    ports: [{ name: "http", containerPort: SERVICE_PORT, protocol: "TCP" as const }],
  }));
  // The stack's own cluster tier: a fixed number of objects whatever the size, none in networkPolicy mode.
  const clusterPolicies = planClusterPolicies(config).map(({ object }) => object);
  return probeEstate(config, { namespaces, policies, clusterPolicies }, caches).estate;
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

function measure(namespaceCount: number, tiers: boolean): Measurement {
  const estate = areaEstate(namespaceCount, tiers);
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
    policies: estate.policies.length + (estate.clusterPolicies?.length ?? 0),
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
  run(log, options: BenchOptions) {
    // Warm the JIT on a small estate so the first size is not charged for compilation.
    measure(20, true);
    log(
      `Full matrix: every pod and ${OUTSIDE.length} outside addresses, both ways, on ${PORTS.length} ports.`,
    );
    for (const tiers of [false, true]) {
      log("");
      log(
        tiers
          ? "clusterTier mode, with the stack's cluster-tier policies:"
          : "networkPolicy mode, the namespace policies alone:",
      );
      log("");
      log(
        "| namespaces | pods | policies | pairs | evaluator | matrix | all cells | total | per pair | probe() per cell |",
      );
      log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
      for (const size of options.sizes ?? DEFAULT_SIZES) {
        // The best of a few runs: on a shared machine the others measure its neighbours and the GC.
        const runs = Array.from({ length: RUNS }, (_, run) => {
          const what = `${size.toLocaleString("en")} namespaces${tiers ? " with tiers" : ""}`;
          options.progress(`evaluator: ${what}, run ${run + 1}/${RUNS}`);
          return measure(size, tiers);
        });
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
    }
    log("");
    log(
      `Best of ${RUNS} runs. evaluator: validate and index the estate; matrix: build the bitsets; ` +
        "all cells: read every cell once; per pair: the total over pairs (each pair has all the ports); " +
        "probe(): one cell decided pair by pair, for comparison.",
    );
  },
};
