/**
 * Checks a plan against the design: every cell of DESIGN.md section 2 (ingress by source and area, both
 * phases, egress by destination, DNS, tools) and the controllers' north-south rules of section 4, decided
 * by the evaluator over the rendered policies and compared with what the area rules say must hold.
 */

import { addressAt, addressIn } from "../core/cidr";
import { AREA_LABEL, ROLE_LABEL } from "../core/labels";
import type { Endpoint, PortSpec, Protocol } from "../evaluator";
import type { NamespaceConfig, SegmentationConfig } from "../model/config";
import { controllerIdentity } from "../model/controllers";
import { type PlannedObjects, type ProbePod, probeEstate, SERVICE_PORT } from "./estate";
import {
  type Expectation,
  expectedControllerCaller,
  expectedEgress,
  expectedIngress,
  expectedNorthSouth,
  expectedToolEgress,
  externalDestinations,
  internetAddress,
  type Source,
  toolEgressPorts,
} from "./expectations";
import { type CellClass, type Located, pairsOf, Reachability, sameNamespaceOf } from "./reachability";

export type Verdict = "allow" | "deny";

/** Every area reaches the API server: its authentication and RBAC decide what a pod's token may do. */
export const API_SERVER_EXPECTATION: Expectation = {
  allow: true,
  rule: "every area reaches the API server on 443 (RBAC decides what a token may do)",
};

export type Section = "ingress" | "egress" | "dns" | "tools" | "controllers";

export interface DesignCell {
  section: Section;
  /** `namespace/pod` of a stand-in pod, or an address. */
  from: string;
  to: string;
  port: number;
  protocol: Protocol;
  expected: Verdict;
  actual: Verdict;
  /** The design rule that decides the expectation. */
  rule: string;
}

export interface Violation extends DesignCell {
  /** The evaluator's account of which policies isolated the endpoints and which rule (if any) allowed it. */
  decidedBy: string;
}

/** Cells decided alike: one example cell, and how many cells of the design's tables it stands for. */
export interface DesignCellGroup extends DesignCell {
  count: number;
}

export interface DesignReport {
  /**
   * Every cell, grouped: cells between interchangeable namespaces share their expectation and verdict, so
   * an estate's thousands of namespaces make a few groups per kind of namespace.
   */
  groups: DesignCellGroup[];
  /** How many cells the groups stand for. */
  cellCount: number;
  /**
   * Every cell that does not hold, by the names of its own ends, with the evaluator's attribution. Worked
   * out on first use: tenant-proof checks a design it expects to break in many cells and needs only which.
   */
  readonly violations: Violation[];
  /** The cells one group of `groups` stands for, by the names of their own ends. */
  cellsOf(group: DesignCellGroup): Generator<DesignCell>;
  /** Every cell, one by one, in the order of `groups`. */
  expandCells(): Generator<DesignCell>;
  /**
   * The groups a cell belongs to, by the names of its ends (one per section that checks it; none when no
   * check has it): how one plan's cells are looked up in another's without listing either.
   */
  groupsOfCell(cell: Pick<DesignCell, "from" | "to" | "port" | "protocol">): DesignCellGroup[];
}

interface Check {
  section: Section;
  sources: number[];
  destinations: number[];
  port: { port: number; protocol: Protocol };
  expectation: (source: number, destination: number) => Expectation;
}

export function checkDesign(config: SegmentationConfig, objects: PlannedObjects): DesignReport {
  const { estate, pods } = probeEstate(config, objects);
  const namespaces = new Map(config.namespaces.map((ns) => [ns.name, ns]));
  const labelsOf = new Map(estate.namespaces.map((ns) => [ns.name, ns.labels ?? {}]));
  const endpoints = new Map<string, Located>();
  const add = (endpoint: Endpoint) => {
    const key = keyOf(endpoint);
    if (!endpoints.has(key)) endpoints.set(key, { key, endpoint });
  };
  for (const pod of pods) add({ namespace: pod.namespace, pod: pod.name });
  for (const ip of designAddresses(config)) add({ ip });
  const list = [...endpoints.values()];
  const index = new Map(list.map((e, i) => [e.key, i]));
  const checks = designChecks(config, pods, (key) => index.get(key)!);
  const ports = new Map<string, PortSpec>();
  for (const check of checks) ports.set(`${check.port.port}/${check.port.protocol}`, check.port);

  // The design expects things of a namespace by its config, and tells roles apart by the area labels: two
  // namespaces the policies treat alike but the design does not stay in different classes.
  const distinguish = (name: string) => {
    const ns = namespaces.get(name);
    const labels = labelsOf.get(name) ?? {};
    const { name: _name, ...rest } = ns ?? { name };
    return JSON.stringify([rest, labels[ROLE_LABEL] ?? "", labels[AREA_LABEL] ?? ""]);
  };
  const r = new Reachability({ estate, classes: { distinguish } }, list, list, [...ports.values()]);

  const { groups, expansions } = decideGroups(checks, r, list);

  function* cellsOf(index: number): Generator<DesignCell> {
    const { check, cell } = expansions[index]!;
    const { count: _count, ...group } = groups[index]!;
    for (const [s, d] of pairsOf(cell, r.from, check.sources, r.to, check.destinations)) {
      yield { ...group, from: list[s]!.key, to: list[d]!.key };
    }
  }
  function* violatingCells(): Generator<DesignCell> {
    for (let index = 0; index < groups.length; index++) {
      if (groups[index]!.actual !== groups[index]!.expected) yield* cellsOf(index);
    }
  }
  let violations: Violation[] | undefined;
  let indexOf: Map<DesignCellGroup, number> | undefined;
  let lookup:
    | ((cell: Pick<DesignCell, "from" | "to" | "port" | "protocol">) => DesignCellGroup[])
    | undefined;
  return {
    groups,
    cellCount: groups.reduce((sum, group) => sum + group.count, 0),
    get violations() {
      violations ??= Array.from(violatingCells(), (cell) => {
        const flow = { from: endpoints.get(cell.from)!, to: endpoints.get(cell.to)!, port: check(cell) };
        return { ...cell, decidedBy: r.explain(flow).reason };
      });
      return violations;
    },
    cellsOf(group) {
      indexOf ??= new Map(groups.map((g, index) => [g, index]));
      const index = indexOf.get(group);
      if (index === undefined) throw new Error("bug: a cell group of another design check");
      return cellsOf(index);
    },
    *expandCells() {
      for (let index = 0; index < groups.length; index++) yield* cellsOf(index);
    },
    groupsOfCell(cell) {
      lookup ??= cellLookup(checks, r, index, groups, expansions);
      return lookup(cell);
    },
  };
}

/**
 * Finds a cell's groups from its ends: the checks of its port that list both ends, and in each the class
 * their slots (and whether they share a namespace) put the pair in. Built on first use; it holds the
 * checks' ends as sets, never the cells.
 */
function cellLookup(
  checks: readonly Check[],
  r: Reachability<Located, PortSpec>,
  index: ReadonlyMap<string, number>,
  groups: readonly DesignCellGroup[],
  expansions: readonly { check: Check; cell: CellClass }[],
): (cell: Pick<DesignCell, "from" | "to" | "port" | "protocol">) => DesignCellGroup[] {
  const byPort = new Map<string, { check: Check; sources: Set<number>; destinations: Set<number> }[]>();
  for (const check of checks) {
    const key = `${check.port.port}/${check.port.protocol}`;
    const entry = { check, sources: new Set(check.sources), destinations: new Set(check.destinations) };
    byPort.set(key, [...(byPort.get(key) ?? []), entry]);
  }
  const checkIndex = new Map(checks.map((check, i) => [check, i]));
  const classKey = (check: Check, sourceSlot: number, destinationSlot: number, same: boolean) =>
    `${checkIndex.get(check)} ${sourceSlot} ${destinationSlot} ${same}`;
  const groupOf = new Map<string, DesignCellGroup>();
  expansions.forEach(({ check, cell }, i) => {
    groupOf.set(classKey(check, cell.sourceSlot, cell.destinationSlot, cell.sameNamespace), groups[i]!);
  });
  return ({ from, to, port, protocol }) => {
    const s = index.get(from);
    const d = index.get(to);
    if (s === undefined || d === undefined || from === to) return [];
    const same = sameNamespaceOf(r.from, r.to, s, d);
    const found: DesignCellGroup[] = [];
    for (const { check, sources, destinations } of byPort.get(`${port}/${protocol}`) ?? []) {
      if (!sources.has(s) || !destinations.has(d)) continue;
      const group = groupOf.get(classKey(check, r.from.slot(s), r.to.slot(d), same));
      if (group) found.push(group);
    }
    return found;
  };
}

/**
 * Each check's cells, decided class by class: one group per class of cells, with the example the class was
 * decided on, and what it takes to expand the group back into its cells.
 */
function decideGroups(
  checks: readonly Check[],
  r: Reachability<Located, PortSpec>,
  list: readonly Located[],
): { groups: DesignCellGroup[]; expansions: { check: Check; cell: CellClass }[] } {
  const groups: DesignCellGroup[] = [];
  const expansions: { check: Check; cell: CellClass }[] = [];
  for (const check of checks) {
    for (const cell of r.cellClasses(check.sources, check.destinations)) {
      const expectation = check.expectation(cell.source, cell.destination);
      groups.push({
        section: check.section,
        from: list[cell.source]!.key,
        to: list[cell.destination]!.key,
        port: check.port.port,
        protocol: check.port.protocol,
        expected: expectation.allow ? "allow" : "deny",
        actual: r.allows(cell.source, cell.destination, check.port) ? "allow" : "deny",
        rule: expectation.rule,
        count: cell.count,
      });
      expansions.push({ check, cell });
    }
  }
  return { groups, expansions };
}

function check(cell: DesignCell): PortSpec {
  return { port: cell.port, protocol: cell.protocol };
}

/** The addresses outside the pods that the checks use: the internet, the destinations, the allowlists. */
function designAddresses(config: SegmentationConfig): string[] {
  return [
    internetAddress(config),
    ...externalDestinations(config).map((d) => d.ip),
    ...config.ingress.flatMap((c) => c.allowedCidrs.map((cidr) => addressAt(cidr, 0))),
    ...config.ingress.flatMap((c) => c.loadBalancerSubnets.map((subnet) => addressAt(subnet, 10))),
    apiServerAddress(config),
  ];
}

/** An address of the API server's ENIs, in the first control-plane CIDR. */
export function apiServerAddress(config: SegmentationConfig): string {
  return addressAt(config.cluster.controlPlaneCidrs[0]!, 10);
}

/**
 * What every group of checks reads: the stand-in pods by role, and where each pod or address sits in the
 * list of endpoints the checks index into.
 */
interface CheckContext {
  config: SegmentationConfig;
  pods: readonly ProbePod[];
  at(pod: ProbePod): number;
  address(ip: string): number;
  podAt(index: number): ProbePod;
  nsOf(index: number): NamespaceConfig;
  isEndpoint(index: number): boolean;
  find(kind: ProbePod["role"]["kind"]): ProbePod[];
  internet: string;
  areaPods: ProbePod[];
  /** The non-endpoint pod of each area namespace, which stands for the namespace as a source. */
  workers: ProbePod[];
  stranger: ProbePod | undefined;
  dns: ProbePod | undefined;
  vault: ProbePod | undefined;
  monitoring: ProbePod | undefined;
}

const tcp = (port: number) => ({ port, protocol: "TCP" as const });

function designChecks(
  config: SegmentationConfig,
  pods: readonly ProbePod[],
  indexOf: (key: string) => number,
): Check[] {
  const namespaces = new Map(config.namespaces.map((ns) => [ns.name, ns]));
  const at = (pod: ProbePod) => indexOf(`${pod.namespace}/${pod.name}`);
  const byIndex = new Map(pods.map((pod) => [at(pod), pod]));
  const podAt = (index: number) => byIndex.get(index)!;
  const find = (kind: ProbePod["role"]["kind"]) => pods.filter((pod) => pod.role.kind === kind);
  const areaPods = pods.filter((pod) => pod.role.kind === "area-pod");
  const context: CheckContext = {
    config,
    pods,
    at,
    address: (ip) => indexOf(ip),
    podAt,
    nsOf: (index) => namespaces.get(podAt(index).namespace) as NamespaceConfig,
    isEndpoint: (index) => {
      const role = podAt(index).role;
      return role.kind === "area-pod" && role.endpoint;
    },
    find,
    internet: internetAddress(config),
    areaPods,
    workers: areaPods.filter((pod) => pod.role.kind === "area-pod" && !pod.role.endpoint),
    stranger: find("unlabelled")[0],
    dns: find("dns")[0],
    vault: find("vault")[0],
    monitoring: find("monitoring")[0],
  };
  const controllers = find("controller").filter((pod) => pod.role.kind === "controller");
  return [
    ...ingressChecks(context),
    ...egressChecks(context),
    ...toolChecks(context, controllers),
    ...controllers.flatMap((controller) => controllerChecks(context, controller)),
    ...toolEgressChecks(context),
  ];
}

/** Ingress to every area pod, from every kind of source the design's tables name. */
function ingressChecks({
  pods,
  at,
  address,
  podAt,
  nsOf,
  isEndpoint,
  internet,
  areaPods,
}: CheckContext): Check[] {
  return [
    {
      section: "ingress",
      sources: pods.map(at),
      destinations: areaPods.map(at),
      port: tcp(SERVICE_PORT),
      expectation: (s, d) => expectedIngress(sourceOf(podAt(s)), nsOf(d), isEndpoint(d)),
    },
    {
      section: "ingress",
      sources: [address(internet)],
      destinations: areaPods.map(at),
      port: tcp(SERVICE_PORT),
      expectation: (_, d) => expectedIngress({ kind: "external" }, nsOf(d), isEndpoint(d)),
    },
  ];
}

/** Egress from every area namespace (both phases alike): outside addresses, other pods, DNS. */
function egressChecks({ config, at, address, nsOf, workers, stranger, dns }: CheckContext): Check[] {
  const checks: Check[] = [];
  for (const destination of externalDestinations(config)) {
    checks.push({
      section: "egress",
      sources: workers.map(at),
      destinations: [address(destination.ip)],
      port: tcp(destination.kind === "instance-metadata" ? 80 : 443),
      expectation: (s) => expectedEgress(config, nsOf(s), destination),
    });
  }
  checks.push({
    section: "egress",
    sources: workers.map(at),
    destinations: [address(apiServerAddress(config))],
    port: tcp(443),
    expectation: () => API_SERVER_EXPECTATION,
  });
  if (stranger) {
    // The stranger's namespace isolates nothing, so only the source's egress decides.
    checks.push({
      section: "egress",
      sources: workers.map(at),
      destinations: [at(stranger)],
      port: tcp(SERVICE_PORT),
      expectation: () => ({
        allow: true,
        rule: "the cluster's own CIDRs (other pods; their ingress still applies)",
      }),
    });
  }
  if (dns) {
    for (const protocol of ["UDP", "TCP"] as const) {
      checks.push({
        section: "dns",
        sources: workers.map(at),
        destinations: [at(dns)],
        port: { port: 53, protocol },
        expectation: () => ({ allow: true, rule: `cluster DNS on ${protocol} 53` }),
      });
    }
  }
  return checks;
}

/** Tools: vault serves every area namespace and nothing else; exposed tools take their controllers only. */
function toolChecks(
  { config, at, podAt, workers, stranger, vault, monitoring }: CheckContext,
  controllers: readonly ProbePod[],
): Check[] {
  const checks: Check[] = [];
  for (const port of config.tools.vault.ports) {
    if (!vault) break;
    checks.push({
      section: "tools",
      sources: [...workers, ...(stranger ? [stranger] : [])].map(at),
      destinations: [at(vault)],
      port: tcp(port),
      expectation: (s) =>
        podAt(s).role.kind === "area-pod"
          ? { allow: true, rule: "vault is reachable from every managed namespace" }
          : { allow: false, rule: "vault is not reachable from namespaces without an area" },
    });
  }
  for (const controller of controllers) {
    if (controller.role.kind !== "controller") continue;
    const area = controller.role.area;
    for (const [tool, pod] of [
      [config.tools.monitoring, monitoring],
      [config.tools.vault, vault],
    ] as const) {
      if (!pod) continue;
      for (const port of tool.ports) {
        const exposed = tool.exposedVia.includes(area);
        checks.push({
          section: "tools",
          sources: [at(controller)],
          destinations: [at(pod)],
          port: tcp(port),
          expectation: () =>
            exposed
              ? { allow: true, rule: `${tool.namespace} is exposed through the ${area} controller` }
              : { allow: false, rule: `${tool.namespace} is not exposed through the ${area} controller` },
        });
      }
    }
  }
  return checks;
}

/** North-south: who reaches a controller's entry point, and what the controller itself may reach. */
function controllerChecks(context: CheckContext, controller: ProbePod): Check[] {
  const { config, pods, at, address, podAt, internet, dns, monitoring } = context;
  const settings = config.ingress.find((c) => c.area === (controller.role as { area: string }).area)!;
  const identity = controllerIdentity(settings.area);
  const https = tcp(identity.ports.https);
  const checks: Check[] = entryPointSources(config, settings, internet).map(([ip, expectation]) => ({
    section: "controllers",
    sources: [address(ip)],
    destinations: [at(controller)],
    port: https,
    expectation: () => expectation,
  }));
  // Pods reach a controller only as callers the area rules allow: anything else is a relay past them.
  checks.push({
    section: "controllers",
    sources: pods.filter((pod) => pod !== controller && pod.role.kind !== "dns").map(at),
    destinations: [at(controller)],
    port: https,
    expectation: (s) => expectedControllerCaller(settings, sourceOf(podAt(s))),
  });
  if (monitoring) {
    checks.push({
      section: "controllers",
      sources: [at(monitoring)],
      destinations: [at(controller)],
      port: tcp(identity.ports.metrics),
      expectation: () => ({ allow: true, rule: "monitoring scrapes the controllers' metrics" }),
    });
  }
  if (dns) {
    checks.push({
      section: "controllers",
      sources: [at(controller)],
      destinations: [at(dns)],
      port: { port: 53, protocol: "UDP" },
      expectation: () => ({ allow: true, rule: "controllers resolve names through cluster DNS" }),
    });
  }
  checks.push({
    section: "controllers",
    sources: [at(controller)],
    destinations: [address(internet)],
    port: tcp(443),
    expectation: () => ({ allow: false, rule: "controllers reach their backends, not the internet" }),
  });
  return checks;
}

/**
 * The addresses that try a controller's entry point, with what the design expects of each: the internet,
 * its allowlist, its load balancer's subnets, and the rest of the cluster's VPC where those subnets do not
 * cover it.
 */
function entryPointSources(
  config: SegmentationConfig,
  settings: SegmentationConfig["ingress"][number],
  internet: string,
): [string, Expectation][] {
  const clusterVpc = externalDestinations(config).find(
    (d) => d.kind === "vpc" && config.vpcs.find((vpc) => vpc.name === d.vpc)?.isClusterVpc,
  );
  return [
    [internet, expectedNorthSouth(settings, { kind: "internet" })],
    ...settings.allowedCidrs.map((cidr): [string, Expectation] => [
      addressAt(cidr, 0),
      expectedNorthSouth(settings, { kind: "allowlisted", cidr }),
    ]),
    ...settings.loadBalancerSubnets.map((subnet): [string, Expectation] => [
      addressAt(subnet, 10),
      expectedNorthSouth(settings, { kind: "load-balancer" }),
    ]),
    ...(clusterVpc && !settings.loadBalancerSubnets.some((subnet) => addressIn(clusterVpc.ip, subnet))
      ? [[clusterVpc.ip, expectedNorthSouth(settings, { kind: "cluster-vpc" })] as [string, Expectation]]
      : []),
  ];
}

/** The tools' own egress: each reaches what its job needs and no data store, other VPC or metadata. */
function toolEgressChecks({ config, at, address, vault, monitoring }: CheckContext): Check[] {
  const checks: Check[] = [];
  for (const [tool, pod] of [
    ["monitoring", monitoring],
    ["vault", vault],
  ] as const) {
    if (!pod) continue;
    for (const destination of externalDestinations(config)) {
      for (const port of toolEgressPorts(destination)) {
        checks.push({
          section: "tools",
          sources: [at(pod)],
          destinations: [address(destination.ip)],
          port: tcp(port),
          expectation: () => expectedToolEgress(config, tool, destination, port),
        });
      }
    }
  }
  return checks;
}

/** The row of the design's table a stand-in pod stands for, as a source. */
function sourceOf(pod: ProbePod): Source {
  switch (pod.role.kind) {
    case "area-pod":
      return { kind: "area-pod", namespace: pod.namespace, area: pod.role.area };
    case "controller":
      return { kind: "controller", area: pod.role.area };
    case "monitoring":
      return { kind: "monitoring" };
    default:
      // Vault, DNS and the stranger live in namespaces without an area.
      return { kind: "unlabelled", namespace: pod.namespace };
  }
}

function keyOf(endpoint: Endpoint): string {
  return "ip" in endpoint ? endpoint.ip : `${endpoint.namespace}/${endpoint.pod}`;
}
