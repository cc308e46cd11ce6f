/**
 * Deciding by classes of interchangeable namespaces must give the direct answer in every cell. On random
 * estates built from a few kinds of namespaces (so that classes have several members), with selectors that
 * name namespaces, ipBlocks that split a kind by address, named ports and cluster-tier policies, the
 * class-based reachability must agree with one evaluator over the whole estate on every cell, and its
 * classes of cells must count and expand to exactly the cells there are.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import fc from "fast-check";
import { namespaceClasses } from "../../analysis/classes";
import { checkDesign, type DesignCell, type DesignReport } from "../../analysis/design";
import type { PlannedObjects } from "../../analysis/estate";
import { type Located, pairsOf, planEndpoints, Reachability } from "../../analysis/reachability";
import { type ReachabilitySummary, summarise } from "../../analysis/summary";
import { manifestsOf, plannedObjects } from "../../cli/manifests";
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicySpec, ObjectMeta } from "../../core/k8s";
import { AREA_LABEL } from "../../core/labels";
import {
  type ClusterTierManifest,
  type Estate,
  NetworkPolicyEvaluator,
  type PortSpec,
} from "../../evaluator";
import type { SegmentationConfig } from "../../model/config";
import { parseConfig } from "../../model/config";
import { rawConfigOf, readStackFile } from "../../model/stackFile";
import { policy } from "../evaluator/estate";
import { eks } from "../evaluator/tierEstate";
import { directDesign } from "../support/directDesign";
import { devConfig, devRun, ROOT, runStack } from "../support/stack";

const NAMES = ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9"];

const POD_SELECTORS: LabelSelector[] = [
  {},
  { matchLabels: { app: "web" } },
  { matchExpressions: [{ key: "app", operator: "NotIn", values: ["db"] }] },
];
const NAMESPACE_SELECTORS: LabelSelector[] = [
  {},
  { matchLabels: { team: "red" } },
  { matchLabels: { "kubernetes.io/metadata.name": "n1" } },
  { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: ["n2", "n3"] }] },
  { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] },
];
const PEERS: NetworkPolicyPeer[] = [
  { podSelector: {} },
  { podSelector: { matchLabels: { app: "db" } } },
  ...NAMESPACE_SELECTORS.map((namespaceSelector) => ({ namespaceSelector })),
  { namespaceSelector: { matchLabels: { team: "red" } }, podSelector: { matchLabels: { app: "web" } } },
  // Pod addresses are 10.0.<namespace>.<pod>: this block takes the pods of n0..n3 and leaves the others.
  { ipBlock: { cidr: "10.0.0.0/22", except: ["10.0.2.0/24"] } },
  { ipBlock: { cidr: "192.0.2.0/24" } },
];
const PORTS = [undefined, [{ port: 8080 }], [{ port: "http" }], [{ port: 53, protocol: "UDP" as const }]];

const rule = (key: "from" | "to") =>
  fc
    .record({
      peers: fc.option(fc.subarray(PEERS, { minLength: 1, maxLength: 2 }), { nil: undefined }),
      ports: fc.constantFrom(...PORTS),
    })
    .map(({ peers, ports }) => ({ ...(peers ? { [key]: peers } : {}), ...(ports ? { ports } : {}) }));

const spec: fc.Arbitrary<NetworkPolicySpec> = fc.record({
  podSelector: fc.constantFrom(...POD_SELECTORS),
  policyTypes: fc.constantFrom(["Ingress"], ["Egress"], ["Ingress", "Egress"]),
  ingress: fc.array(rule("from"), { maxLength: 2 }),
  egress: fc.array(rule("to"), { maxLength: 2 }),
}) as fc.Arbitrary<NetworkPolicySpec>;

const selection = fc.oneof(
  fc.constantFrom(...NAMESPACE_SELECTORS).map((namespaces) => ({ namespaces })),
  fc
    .tuple(fc.constantFrom(...NAMESPACE_SELECTORS), fc.constantFrom(...POD_SELECTORS))
    .map(([namespaceSelector, podSelector]) => ({ pods: { namespaceSelector, podSelector } })),
);
const clusterPolicy = fc.record({
  tier: fc.constantFrom("Admin", "Baseline"),
  priority: fc.constantFrom(1, 2),
  subject: selection,
  ingress: fc.array(
    fc.record({
      action: fc.constantFrom("Accept", "Deny", "Pass"),
      from: fc.array(selection, { minLength: 1, maxLength: 2 }),
    }),
    { maxLength: 2 },
  ),
  egress: fc.array(
    fc.record({
      action: fc.constantFrom("Accept", "Deny", "Pass"),
      to: fc.array(fc.oneof(selection, fc.constant({ networks: ["10.0.4.0/22"] })), {
        minLength: 1,
        maxLength: 2,
      }),
    }),
    { maxLength: 2 },
  ),
});

/** A kind of namespace: what every namespace of that kind has, so estates have classes worth the name. */
const kind = fc.record({
  team: fc.constantFrom(undefined, "red"),
  pods: fc.subarray(["web", "db", "job"], { minLength: 1 }),
  http: fc.constantFrom(8080, 9090),
  specs: fc.array(spec, { maxLength: 2 }),
});

const estate: fc.Arbitrary<Estate> = fc
  .record({
    kinds: fc.array(kind, { minLength: 1, maxLength: 3 }),
    members: fc.array(fc.nat(2), { minLength: 6, maxLength: NAMES.length }),
    cluster: fc.array(clusterPolicy, { maxLength: 2 }),
  })
  .map(({ kinds, members, cluster }) => {
    const of = (i: number) => kinds[members[i]! % kinds.length]!;
    const names = NAMES.slice(0, members.length);
    return {
      namespaces: names.map((name, i) => ({
        name,
        labels: of(i).team ? { team: of(i).team! } : ({} as Record<string, string>),
      })),
      pods: names.flatMap((namespace, i) =>
        of(i).pods.map((app, j) => ({
          namespace,
          name: app,
          labels: { app },
          ip: `10.0.${i}.${j + 1}`,
          ports: [{ name: "http", containerPort: of(i).http }],
        })),
      ),
      policies: names.flatMap((namespace, i) => of(i).specs.map((s, j) => policy(namespace, `np${j}`, s))),
      clusterPolicies: cluster.map((s, i): ClusterTierManifest => eks(`cnp${i}`, s)),
    };
  });

const PORT_SPECS: PortSpec[] = [
  { port: 8080 },
  { port: 9090 },
  { port: "http" },
  { port: 53, protocol: "UDP" },
];

function endpointsOf(subject: Estate): Located[] {
  return [
    ...subject.pods.map((pod) => ({
      key: `${pod.namespace}/${pod.name}`,
      endpoint: { namespace: pod.namespace, pod: pod.name },
    })),
    { key: "outside", endpoint: { ip: "192.0.2.10" } },
    { key: "unused", endpoint: { ip: "10.0.1.200" } },
    // An address that is a pod's: the address stands for that pod, in both computations.
    { key: "address of n2/web", endpoint: { ip: "10.0.2.1" } },
  ];
}

describe("analysis: classes of interchangeable namespaces", () => {
  it("decides every cell as the direct computation does, on random estates", () => {
    let cells = 0;
    let shared = 0;
    fc.assert(
      fc.property(estate, (subject) => {
        const endpoints = endpointsOf(subject);
        const direct = new Reachability(
          new NetworkPolicyEvaluator(subject),
          endpoints,
          endpoints,
          PORT_SPECS,
        );
        const classed = new Reachability({ estate: subject }, endpoints, endpoints, PORT_SPECS);
        const classes = namespaceClasses(subject);
        if (classes.classes.some((c) => c.members.length > 1)) shared++;
        endpoints.forEach((from, s) => {
          endpoints.forEach((to, d) => {
            for (const port of PORT_SPECS) {
              cells++;
              assert.equal(
                classed.allows(s, d, port),
                direct.allows(s, d, port),
                JSON.stringify({ from: from.key, to: to.key, port, classes: classes.classes }),
              );
            }
          });
        });
        assert.deepEqual(
          classed.connections().map((f) => `${f.from.key} ${f.to.key} ${f.port.port}`),
          direct.connections().map((f) => `${f.from.key} ${f.to.key} ${f.port.port}`),
        );
      }),
      { numRuns: 200 },
    );
    // The property only means something if many estates had namespaces to share a class.
    assert.ok(shared > 100, `${shared} of 200 estates had a class of several namespaces`);
    assert.ok(cells > 50_000, `${cells} cells checked`);
  });

  it("keeps a namespace that a spec names, or a pod an address stands for, in a class of its own", () => {
    fc.assert(
      fc.property(estate, (subject) => {
        const classes = namespaceClasses(subject, { addresses: ["10.0.2.1"] });
        const named = JSON.stringify(subject.policies.map((p) => p.spec)).includes('"n1"');
        const alone = (name: string) => {
          const cls = classes.classOf.get(name);
          return cls === undefined || classes.classes[cls]!.members.length === 1;
        };
        if (named) assert.ok(alone("n1"));
        if (subject.pods.some((pod) => pod.ip === "10.0.2.1")) assert.ok(alone("n2"));
      }),
      { numRuns: 100 },
    );
  });

  it("counts and expands classes of cells to exactly the cells between two lists, one verdict each", () => {
    fc.assert(
      fc.property(estate, fc.infiniteStream(fc.boolean()), (subject, picks) => {
        const endpoints = endpointsOf(subject);
        const classed = new Reachability({ estate: subject }, endpoints, endpoints, PORT_SPECS);
        const all = endpoints.map((_, i) => i);
        const take = () => all.filter(() => picks.next().value);
        const [sources, destinations] = [take(), take()];
        const expected = sources.flatMap((s) =>
          destinations.filter((d) => endpoints[s]!.key !== endpoints[d]!.key).map((d) => `${s} ${d}`),
        );
        const seen: string[] = [];
        for (const cell of classed.cellClasses(sources, destinations)) {
          const pairs = [...pairsOf(cell, classed.from, sources, classed.to, destinations)];
          assert.equal(pairs.length, cell.count);
          assert.ok(pairs.some(([s, d]) => s === cell.source && d === cell.destination));
          for (const [s, d] of pairs) {
            seen.push(`${s} ${d}`);
            for (const port of PORT_SPECS) {
              assert.equal(classed.allows(s, d, port), classed.allows(cell.source, cell.destination, port));
            }
          }
        }
        assert.deepEqual(seen.sort(), expected.sort());
      }),
      { numRuns: 150 },
    );
  });
});

/** The summary's plain data, with its namespace grid written out cell by cell. */
function summaryData(summary: ReachabilitySummary) {
  const { namespaceCell, namespaceTally, ...data } = summary;
  const n = summary.namespaces.length;
  return {
    ...data,
    grid: Array.from({ length: n }, (_, r) => Array.from({ length: n }, (_, c) => namespaceCell(r, c))),
    tallies: Array.from({ length: n }, (_, r) => namespaceTally(r)),
  };
}

const cellText = (c: DesignCell) =>
  JSON.stringify([c.section, c.from, c.to, c.port, c.protocol, c.expected, c.actual, c.rule]);

/** The class-based analysis of a plan against the direct one: design check, summary, every connection. */
function assertSameAnalysis(config: SegmentationConfig, objects: PlannedObjects): DesignReport {
  const design = checkDesign(config, objects);
  const direct = directDesign(config, objects);
  assert.equal(design.cellCount, direct.cells.length);
  assert.deepEqual([...design.expandCells()].map(cellText).sort(), direct.cells.map(cellText).sort());
  assert.deepEqual(
    design.violations.map((v) => [cellText(v), v.decidedBy]).sort(),
    direct.violations.map((v) => [cellText(v), v.decidedBy]).sort(),
  );

  const { estate, sources, destinations, ports } = planEndpoints(config, objects);
  const classed = new Reachability({ estate }, sources, destinations, ports);
  const plain = new Reachability(new NetworkPolicyEvaluator(estate), sources, destinations, ports);
  assert.deepEqual(summaryData(summarise(classed, config)), summaryData(summarise(plain, config)));
  // Every area namespace has its stand-in pods among the sources and destinations.
  assert.ok(sources.length >= 2 * config.namespaces.length, `${sources.length} sources`);
  assert.ok(destinations.length >= 2 * config.namespaces.length, `${destinations.length} destinations`);
  sources.forEach((_, s) => {
    destinations.forEach((_, d) => {
      assert.deepEqual(classed.reached(s, d), plain.reached(s, d));
    });
  });
  return design;
}

describe("analysis: the class-based design check and summary against the direct ones", () => {
  let dev: { config: SegmentationConfig; objects: PlannedObjects };
  before(async () => {
    dev = {
      config: parseConfig(rawConfigOf(devConfig())),
      objects: plannedObjects(manifestsOf((await devRun()).resources)),
    };
  });

  for (const stack of ["dev", "staging", "prod"]) {
    it(`gives the direct cells on the shipped ${stack} stack`, async () => {
      const config = readStackFile(join(ROOT, `Pulumi.${stack}.yaml`)).config;
      const run = await runStack(config);
      const design = assertSameAnalysis(
        parseConfig(rawConfigOf(config)),
        plannedObjects(manifestsOf(run.resources)),
      );
      // Dev's store clients each hold an egress allow of their own (model/storePolicies.ts), so ten of its
      // namespaces are classes of one; the other stacks keep the fourfold compression.
      const compression = stack === "dev" ? 1.5 : 4;
      assert.ok(
        design.groups.length < design.cellCount / compression,
        `${design.groups.length} groups, ${design.cellCount} cells`,
      );
    });
  }

  it("gives the direct cells and violations on the dev stack with random policies dropped or relabelled", () => {
    const policies = dev.objects.policies.length;
    const namespaces = dev.objects.namespaces.length;
    const areaNamespaces = dev.objects.namespaces.flatMap((ns, i) =>
      dev.config.namespaces.some((c) => c.name === ns.metadata?.name) ? [i] : [],
    );
    let violated = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.nat(policies - 1), { maxLength: 3 }),
        fc.uniqueArray(fc.nat(namespaces - 1), { maxLength: 2 }),
        fc.option(fc.tuple(fc.constantFrom(...areaNamespaces), fc.constantFrom(...areaNamespaces)), {
          nil: undefined,
        }),
        (dropped, relabelled, copied) => {
          const objects = structuredClone(dev.objects);
          objects.policies = objects.policies.filter((_, i) => !dropped.includes(i));
          if (copied) {
            // One namespace rendered as another: the same labels and policies, while the config still
            // expects its own area and phase of it.
            const [to, from] = copied.map((i) => objects.namespaces[i]!.metadata!) as [
              ObjectMeta,
              ObjectMeta,
            ];
            to.labels = { ...from.labels };
            objects.policies = [
              ...objects.policies.filter((p) => p.metadata?.namespace !== to.name),
              ...objects.policies
                .filter((p) => p.metadata?.namespace === from.name)
                .map((p) => ({ ...p, metadata: { ...p.metadata, namespace: to.name } })),
            ];
          }
          for (const i of relabelled) {
            const labels = objects.namespaces[i]!.metadata!.labels ?? {};
            // Another area's label on a namespace the config keeps in its own area.
            if (labels[AREA_LABEL])
              labels[AREA_LABEL] = labels[AREA_LABEL] === "backoffice" ? "publicfrontal" : "backoffice";
          }
          const design = assertSameAnalysis(dev.config, objects);
          if (design.violations.length > 0) violated++;
        },
      ),
      { numRuns: 25 },
    );
    assert.ok(violated > 10, `${violated} of 25 tampered estates broke some cell`);
  });
});
