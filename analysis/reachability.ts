/**
 * Who reaches whom in a plan, on which ports: the evaluator's matrix over the probe estate (stand-in pods in
 * every role, see `estate.ts`) and the places outside the cluster the design names (the internet,
 * each VPC, the other private ranges, instance metadata, the control plane, the allowlisted sources).
 *
 * Endpoints are keyed by what they are, never by address: `payments/worker`, `vpc:natonly`, `internet`.
 * Two plans therefore compare cell by cell even when a VPC's CIDRs or the pods' addresses move.
 */

import { addressAt, addressIn, PRIVATE_RANGES } from "../core/cidr";
import {
  type Endpoint,
  type Estate,
  NetworkPolicyEvaluator,
  type PortSpec,
  type Protocol,
  type ReachabilityMatrix,
} from "../evaluator";
import type { Area } from "../model/areas";
import type { SegmentationConfig } from "../model/config";
import { type ClassOptions, namespaceClasses } from "./classes";
import { type PlannedObjects, type ProbePod, probeEstate } from "./estate";
import { externalDestinations, internetAddress } from "./expectations";

export interface PortRef {
  port: number;
  protocol: Protocol;
}

export function portText(port: PortRef): string {
  return `${port.port}/${port.protocol}`;
}

/** `8080/TCP`, `grpc/TCP`: a port of the matrix by number or name, TCP when the protocol is left out. */
function portKey(port: PortSpec): string {
  return `${port.port}/${port.protocol ?? "TCP"}`;
}

export function comparePorts(a: PortRef, b: PortRef): number {
  return a.port - b.port || a.protocol.localeCompare(b.protocol);
}

/** What an endpoint outside the cluster's pods stands for. */
export type OutsideKind =
  | "internet"
  | "vpc"
  | "private"
  | "instance-metadata"
  | "control-plane"
  | "source"
  | "nat";

export type EndpointRole = ProbePod["role"] | { kind: "outside"; what: OutsideKind; name?: string };

export interface PlanEndpoint {
  /** Stable identity across plans: `namespace/pod`, or what an address stands for (`vpc:natonly`). */
  key: string;
  /** How reports name it. */
  label: string;
  /** The area, or the namespace of a tool or controller, or `outside`: how diffs and reports group it. */
  group: string;
  /** The namespace of a pod. */
  namespace?: string;
  role: EndpointRole;
  endpoint: Endpoint;
  /** What it serves as a destination. */
  ports: PortRef[];
}

export const OUTSIDE_GROUP = "outside";
export const UNLABELLED_GROUP = "no area";

/** The first namespace a group name can mean: areas first, then the others in a fixed order. */
export function groupOrder(group: string, areas: readonly string[]): number {
  const area = areas.indexOf(group);
  if (area >= 0) return area;
  if (group.startsWith("ingress-")) return 10 + areas.indexOf(group.slice("ingress-".length));
  if (group === UNLABELLED_GROUP) return 30;
  if (group === OUTSIDE_GROUP) return 40;
  return 20;
}

const HTTPS: PortRef = { port: 443, protocol: "TCP" };
const HTTP: PortRef = { port: 80, protocol: "TCP" };

function podEndpoint(pod: ProbePod): PlanEndpoint {
  const key = `${pod.namespace}/${pod.name}`;
  let group: string;
  switch (pod.role.kind) {
    case "area-pod":
      group = pod.role.area;
      break;
    case "unlabelled":
      group = UNLABELLED_GROUP;
      break;
    default:
      group = pod.namespace;
  }
  const ports = (pod.ports ?? []).map((p) => ({ port: p.containerPort, protocol: p.protocol ?? "TCP" }));
  return {
    key,
    label: key,
    group,
    namespace: pod.namespace,
    role: pod.role,
    endpoint: { namespace: pod.namespace, pod: pod.name },
    ports: uniquePorts(ports),
  };
}

function outside(
  what: OutsideKind,
  ip: string,
  options: { name?: string; label: string; ports?: PortRef[] },
): PlanEndpoint {
  return {
    key: options.name === undefined ? what : `${what}:${options.name}`,
    label: options.label,
    group: OUTSIDE_GROUP,
    role: { kind: "outside", what, ...(options.name === undefined ? {} : { name: options.name }) },
    endpoint: { ip },
    ports: uniquePorts(options.ports ?? []),
  };
}

/** Where pods may connect outside the cluster, one address per kind the design's egress table names. */
export function outsideDestinations(config: SegmentationConfig): PlanEndpoint[] {
  const storePorts = (vpc: string) =>
    config.dataStores.filter((s) => s.vpc === vpc).flatMap((s) => s.ports.map((port) => tcp(port)));
  const destinations: PlanEndpoint[] = [
    outside("internet", internetAddress(config), { label: "the internet", ports: [HTTPS] }),
  ];
  for (const destination of externalDestinations(config)) {
    switch (destination.kind) {
      case "vpc":
        destinations.push(
          outside("vpc", destination.ip, {
            name: destination.vpc,
            label: `VPC ${destination.vpc}`,
            ports: [HTTPS, ...storePorts(destination.vpc)],
          }),
        );
        break;
      case "private": {
        const range = PRIVATE_RANGES.find((cidr) => addressIn(destination.ip, cidr)) ?? destination.ip;
        destinations.push(
          outside("private", destination.ip, { name: range, label: `private ${range}`, ports: [HTTPS] }),
        );
        break;
      }
      case "instance-metadata":
        destinations.push(
          outside("instance-metadata", destination.ip, { label: "instance metadata", ports: [HTTP] }),
        );
        break;
      case "internet":
        break;
    }
  }
  const [controlPlane] = config.cluster.controlPlaneCidrs;
  if (controlPlane) {
    destinations.push(
      outside("control-plane", addressAt(controlPlane, 4), { label: "the control plane", ports: [HTTPS] }),
    );
  }
  return destinations;
}

/** Who connects into the cluster from outside: the internet, allowlisted sources, NAT gateways, VPCs. */
export function outsideSources(config: SegmentationConfig): PlanEndpoint[] {
  const sources: PlanEndpoint[] = [outside("internet", internetAddress(config), { label: "the internet" })];
  for (const source of config.sources) {
    const [cidr] = source.cidrs;
    if (cidr) {
      sources.push(
        outside("source", addressAt(cidr, 1), { name: source.name, label: `source ${source.name}` }),
      );
    }
  }
  for (const vpc of config.vpcs) {
    const [ip] = vpc.natGatewayIps;
    if (ip) sources.push(outside("nat", ip, { name: vpc.name, label: `NAT of VPC ${vpc.name}` }));
  }
  for (const destination of externalDestinations(config)) {
    if (destination.kind === "vpc") {
      sources.push(
        outside("vpc", destination.ip, { name: destination.vpc, label: `VPC ${destination.vpc}` }),
      );
    }
  }
  const [controlPlane] = config.cluster.controlPlaneCidrs;
  if (controlPlane) {
    sources.push(outside("control-plane", addressAt(controlPlane, 4), { label: "the control plane" }));
  }
  return sources;
}

/** One end of a connection: a key stable across estates, where the evaluator finds it, what it serves. */
export interface Located {
  key: string;
  endpoint: Endpoint;
  /** The ports it serves as a destination; without them, every port of the reachability counts. */
  ports?: readonly PortSpec[];
}

/** One connection of a reachability: two ends and a port. */
export interface Flow<E extends Located = Located, P extends PortSpec = PortSpec> {
  from: E;
  to: E;
  port: P;
}

/**
 * Cells that share a verdict: the (source, destination) pairs of two index lists whose ends sit in the same
 * slots (the same pod of the same class of namespaces, or the same address), split by whether both ends are
 * in one namespace. `source` and `destination` are one such pair; `count` how many there are, an endpoint
 * and itself never counted.
 */
export interface CellClass {
  source: number;
  destination: number;
  count: number;
  sameNamespace: boolean;
  sourceSlot: number;
  destinationSlot: number;
}

/** Where an end sits, for `cellClasses`: its slot, its namespace (-1 for an address) and its key. */
export interface Placement {
  slot(index: number): number;
  namespace(index: number): number;
  key(index: number): string;
}

interface SlotGroup {
  all: number[];
  byNamespace: Map<number, number[]>;
}

function groupBySlot(indexes: readonly number[], place: Placement): Map<number, SlotGroup> {
  const groups = new Map<number, SlotGroup>();
  for (const i of indexes) {
    const slot = place.slot(i);
    let group = groups.get(slot);
    if (!group) {
      group = { all: [], byNamespace: new Map() };
      groups.set(slot, group);
    }
    group.all.push(i);
    const ns = place.namespace(i);
    if (ns >= 0) {
      const members = group.byNamespace.get(ns);
      if (members) members.push(i);
      else group.byNamespace.set(ns, [i]);
    }
  }
  return groups;
}

/** Whether two ends are pods of one namespace: what splits a pair of slots into two classes of cells. */
export const sameNamespaceOf = (from: Placement, to: Placement, s: number, d: number) =>
  from.namespace(s) >= 0 && from.namespace(s) === to.namespace(d);

/**
 * The classes of cells between `sources` and `destinations` (indexes), in time linear in the lists plus the
 * square of the number of slots; `pairsOf` expands one back to its cells.
 */
export function cellClasses(
  from: Placement,
  sources: readonly number[],
  to: Placement,
  destinations: readonly number[],
): CellClass[] {
  const bySource = groupBySlot(sources, from);
  const byDestination = groupBySlot(destinations, to);
  const selves = selfPairs(from, sources, to, destinations);
  const classes: CellClass[] = [];
  for (const [sourceSlot, a] of bySource) {
    for (const [destinationSlot, b] of byDestination) {
      const { count: sameNamespace, example: sameExample } = sameNamespacePairs(a, b, from, to);
      const self = selves.get(`${sourceSlot} ${destinationSlot}`) ?? { same: 0, other: 0 };
      const same = sameNamespace - self.same;
      const other = a.all.length * b.all.length - sameNamespace - self.other;
      const base = { sourceSlot, destinationSlot };
      if (same > 0 && sameExample) {
        classes.push({
          ...base,
          source: sameExample[0],
          destination: sameExample[1],
          count: same,
          sameNamespace: true,
        });
      }
      if (other > 0) {
        const example = otherExample(a.all, b.all, from, to);
        classes.push({
          ...base,
          source: example[0],
          destination: example[1],
          count: other,
          sameNamespace: false,
        });
      }
    }
  }
  return classes;
}

/** An endpoint and itself, per pair of slots, in one namespace or not: not cells, so left out of the counts. */
function selfPairs(
  from: Placement,
  sources: readonly number[],
  to: Placement,
  destinations: readonly number[],
): Map<string, { same: number; other: number }> {
  const destinationsByKey = new Map<string, number[]>();
  for (const d of destinations) {
    const key = to.key(d);
    const same = destinationsByKey.get(key);
    if (same) same.push(d);
    else destinationsByKey.set(key, [d]);
  }
  const selves = new Map<string, { same: number; other: number }>();
  for (const s of sources) {
    for (const d of destinationsByKey.get(from.key(s)) ?? []) {
      const key = `${from.slot(s)} ${to.slot(d)}`;
      const self = selves.get(key) ?? { same: 0, other: 0 };
      if (sameNamespaceOf(from, to, s, d)) self.same++;
      else self.other++;
      selves.set(key, self);
    }
  }
  return selves;
}

/**
 * How many (source, destination) pairs of two slot groups share a namespace, and one such pair of two
 * different endpoints; walks the group with fewer namespaces.
 */
function sameNamespacePairs(
  a: SlotGroup,
  b: SlotGroup,
  from: Placement,
  to: Placement,
): { count: number; example: [number, number] | undefined } {
  let count = 0;
  let example: [number, number] | undefined;
  const [fewer, more] =
    a.byNamespace.size <= b.byNamespace.size
      ? [a.byNamespace, b.byNamespace]
      : [b.byNamespace, a.byNamespace];
  for (const [ns, members] of fewer) {
    const others = more.get(ns);
    if (!others) continue;
    count += members.length * others.length;
    if (!example) {
      const [ss, dd] = fewer === a.byNamespace ? [members, others] : [others, members];
      example = firstPair(ss, dd, (s, d) => from.key(s) !== to.key(d));
    }
  }
  return { count, example };
}

/** Every cell a class stands for, as (source, destination) indexes. */
export function* pairsOf(
  cell: CellClass,
  from: Placement,
  sources: readonly number[],
  to: Placement,
  destinations: readonly number[],
): Generator<[number, number]> {
  const targets = destinations.filter((d) => to.slot(d) === cell.destinationSlot);
  for (const s of sources) {
    if (from.slot(s) !== cell.sourceSlot) continue;
    for (const d of targets) {
      if (from.key(s) !== to.key(d) && sameNamespaceOf(from, to, s, d) === cell.sameNamespace) yield [s, d];
    }
  }
}

function firstPair(
  sources: readonly number[],
  destinations: readonly number[],
  keep: (s: number, d: number) => boolean,
): [number, number] | undefined {
  for (const s of sources) for (const d of destinations) if (keep(s, d)) return [s, d];
  return undefined;
}

/** A pair of ends in different namespaces (or with an address at one end), found in linear time. */
function otherExample(
  sources: readonly number[],
  destinations: readonly number[],
  from: Placement,
  to: Placement,
): [number, number] {
  const fits = (s: number, d: number) => !sameNamespaceOf(from, to, s, d) && from.key(s) !== to.key(d);
  const first = sources[0]!;
  const d = destinations.find((d) => fits(first, d));
  if (d !== undefined) return [first, d];
  // Every destination shares the first source's namespace (or is that source): any source elsewhere fits.
  for (const s of sources) {
    const found = destinations.find((d) => fits(s, d));
    if (found !== undefined) return [s, found];
  }
  throw new Error("bug: a class of cells with a count has no cell");
}

/** What a reachability is computed from: one evaluator over everything, or an estate to decide by classes. */
export type ReachabilityInput =
  | NetworkPolicyEvaluator
  | { estate: Estate; classes?: Omit<ClassOptions, "addresses"> };

/**
 * The evaluator that decides the cells: the one given, over every namespace; or one over the representatives
 * of the estate's classes, each namespace standing for its class through its class's first two members.
 * `classOf` is given in the second case only.
 */
function decidingEvaluator(
  input: ReachabilityInput,
  endpoints: readonly Located[],
): {
  evaluator: NetworkPolicyEvaluator;
  representativesOf: (namespace: string) => readonly string[];
  classOf?: (namespace: string) => number;
} {
  if (input instanceof NetworkPolicyEvaluator) {
    return { evaluator: input, representativesOf: (namespace) => [namespace] };
  }
  const addresses = endpoints.flatMap((e) => ("ip" in e.endpoint ? [e.endpoint.ip] : []));
  const classes = namespaceClasses(input.estate, { ...input.classes, addresses });
  return {
    evaluator: new NetworkPolicyEvaluator(classes.representatives),
    representativesOf: (namespace) => {
      const cls = classes.classOf.get(namespace);
      return cls === undefined ? [namespace] : classes.classes[cls]!.members.slice(0, 2);
    },
    classOf: (namespace) => classes.classOf.get(namespace)!,
  };
}

/**
 * Who reaches whom: the evaluator's matrix over a list of sources, destinations and ports, read by key.
 * Plans, the design check, diffs and contract lint all read reachability through this one type.
 *
 * Given an estate, it decides by classes of interchangeable namespaces (`classes.ts`): the matrix covers
 * the representatives only, and every cell reads the cell of its representatives. Given an evaluator, every
 * namespace is a class of its own and the matrix is the direct one. Either way `allows` answers for any
 * cell, and `cellClasses` lets summaries count cells without visiting them one by one.
 */
export class Reachability<E extends Located = Located, P extends PortSpec = PortSpec> {
  readonly sourceIndex: ReadonlyMap<string, number>;
  readonly destinationIndex: ReadonlyMap<string, number>;
  /** Where sources and destinations sit in the classes, for `cellClasses` and `pairsOf`. */
  readonly from: Placement;
  readonly to: Placement;
  private readonly portIndex: ReadonlyMap<string, number>;
  private readonly matrix: ReachabilityMatrix;
  private readonly namespaceIds = new Map<string, number>();
  private readonly namespaceClass: number[] = [];
  private readonly sourceNamespace: Int32Array;
  private readonly destinationNamespace: Int32Array;
  /** The matrix row of each source: the same pod in its class's first member, or the address. */
  private readonly sourceRow: Int32Array;
  /** The matrix column of each destination, likewise, and of the same pod in the class's second member. */
  private readonly destinationColumn: Int32Array;
  private readonly siblingColumn: Int32Array;
  private readonly estate?: Estate;
  private full?: NetworkPolicyEvaluator;

  constructor(
    input: ReachabilityInput,
    readonly sources: readonly E[],
    readonly destinations: readonly E[],
    readonly ports: readonly P[],
  ) {
    this.sourceIndex = new Map(sources.map((e, i) => [e.key, i]));
    this.destinationIndex = new Map(destinations.map((e, i) => [e.key, i]));
    this.portIndex = new Map(ports.map((p, i) => [portKey(p), i]));

    const { evaluator, representativesOf, classOf } = decidingEvaluator(input, [...sources, ...destinations]);
    if (input instanceof NetworkPolicyEvaluator) {
      this.full = input;
      for (const ns of input.estate.namespaces) this.namespaceId(ns.name, this.namespaceClass.length);
    } else {
      this.estate = input.estate;
      for (const ns of input.estate.namespaces) this.namespaceId(ns.name, classOf!(ns.name));
    }

    const rows = new Endpoints();
    const columns = new Endpoints();
    const at = (e: Located, which: 0 | 1, into: Endpoints): number => {
      if ("ip" in e.endpoint) return into.add(e.endpoint);
      const [first, second] = representativesOf(e.endpoint.namespace);
      const namespace = which === 0 ? first : second;
      return namespace === undefined ? -1 : into.add({ namespace, pod: e.endpoint.pod });
    };
    const namespaceOf = (e: Located) => {
      if ("ip" in e.endpoint) return -1;
      // A namespace the estate lacks: the matrix refuses the endpoint with the evaluator's own message.
      this.namespaceId(e.endpoint.namespace, -1 - this.namespaceClass.length);
      return this.namespaceIds.get(e.endpoint.namespace)!;
    };
    this.sourceNamespace = Int32Array.from(sources, namespaceOf);
    this.destinationNamespace = Int32Array.from(destinations, namespaceOf);
    this.sourceRow = Int32Array.from(sources, (e) => at(e, 0, rows));
    this.destinationColumn = Int32Array.from(destinations, (e) => at(e, 0, columns));
    this.siblingColumn = Int32Array.from(destinations, (e) => at(e, 1, columns));
    this.matrix = evaluator.matrix(
      rows.list,
      columns.list,
      ports.map((p) => ({ port: p.port, ...(p.protocol ? { protocol: p.protocol } : {}) })),
    );
    this.from = {
      slot: (s) => this.sourceRow[s]!,
      namespace: (s) => this.sourceNamespace[s]!,
      key: (s) => this.sources[s]!.key,
    };
    this.to = {
      slot: (d) => this.destinationColumn[d]!,
      namespace: (d) => this.destinationNamespace[d]!,
      key: (d) => this.destinations[d]!.key,
    };
  }

  /** The class of a namespace: namespaces of one class are interchangeable in every cell. */
  classOf(namespace: string): number | undefined {
    const id = this.namespaceIds.get(namespace);
    return id === undefined ? undefined : this.namespaceClass[id];
  }

  /** Whether source `s` reaches destination `d` (indexes) on a port of the matrix. */
  allows(s: number, d: number, port: PortSpec): boolean {
    return this.matrix.allowed(this.sourceRow[s]!, this.column(s, d), this.portAt(port));
  }

  /** Whether the flow's ends and port are allowed here (ends matched by key, so flows of another estate). */
  allowsFlow(flow: Flow<Located, PortSpec>): boolean {
    const s = this.sourceIndex.get(flow.from.key);
    const d = this.destinationIndex.get(flow.to.key);
    const p = this.portIndex.get(portKey(flow.port));
    return s !== undefined && d !== undefined && p !== undefined && this.cellAllowed(s, d, p);
  }

  /** The ports of destination `d` that source `s` reaches; none for an endpoint and itself. */
  reached(s: number, d: number): P[] {
    const source = this.sources[s]!;
    const destination = this.destinations[d]!;
    if (source.key === destination.key) return [];
    return this.servedBy(destination).filter((port) => this.allows(s, d, port));
  }

  /** Connections the matrix decided: every (source, destination, served port) with distinct ends. */
  connectionCount(): number {
    let cells = 0;
    for (const destination of this.destinations) {
      const self = this.sourceIndex.has(destination.key) ? 1 : 0;
      cells += (this.sources.length - self) * this.servedBy(destination).length;
    }
    return cells;
  }

  /** Allowed connections: every (source, destination, served port) with distinct ends that is allowed. */
  allowedCount(): number {
    let allowed = 0;
    for (const cell of this.cellClasses())
      allowed += cell.count * this.reached(cell.source, cell.destination).length;
    return allowed;
  }

  /** The classes of cells between sources and destinations (all of them by default), see `CellClass`. */
  cellClasses(
    sources: readonly number[] = this.sources.map((_, i) => i),
    destinations: readonly number[] = this.destinations.map((_, i) => i),
  ): CellClass[] {
    return cellClasses(this.from, sources, this.to, destinations);
  }

  /** Every allowed flow between two different endpoints that `keep` accepts. */
  allowed(keep: (flow: Flow<E, P>) => boolean = () => true): Flow<E, P>[] {
    return this.flows((s, d, p) => this.cellAllowed(s, d, p)).filter(keep);
  }

  /** Every connection (the port exists at the destination) between two different endpoints, allowed or not. */
  connections(keep: (flow: Flow<E, P>) => boolean = () => true): Flow<E, P>[] {
    return this.flows((s, d, p) => this.matrix.applies(this.sourceRow[s]!, this.column(s, d), p)).filter(
      keep,
    );
  }

  /** Allowed here and denied in `other`, which covers the same sources, destinations and ports. */
  allowedBeyond(other: Reachability<E, P>): Flow<E, P>[] {
    return this.flows(
      (s, d, p) =>
        this.cellAllowed(s, d, p) &&
        other.matrix.applies(other.sourceRow[s]!, other.column(s, d), p) &&
        !other.cellAllowed(s, d, p),
    );
  }

  /** What the evaluator says about one flow, with the policies that decided it (by their own names). */
  explain(flow: Flow<Located, PortSpec>) {
    this.full ??= new NetworkPolicyEvaluator(this.estate!);
    return this.full.probe({
      from: flow.from.endpoint,
      to: flow.to.endpoint,
      port: flow.port.port,
      ...(flow.port.protocol ? { protocol: flow.port.protocol } : {}),
    });
  }

  /** The matrix column that decides (s, d): another member of the source's own class reads the sibling. */
  private column(s: number, d: number): number {
    const from = this.sourceNamespace[s]!;
    const to = this.destinationNamespace[d]!;
    if (from >= 0 && to >= 0 && from !== to && this.namespaceClass[from] === this.namespaceClass[to]) {
      return this.siblingColumn[d]!;
    }
    return this.destinationColumn[d]!;
  }

  private cellAllowed(s: number, d: number, p: number): boolean {
    return this.matrix.allowed(this.sourceRow[s]!, this.column(s, d), p);
  }

  private namespaceId(name: string, cls: number): void {
    if (this.namespaceIds.has(name)) return;
    this.namespaceIds.set(name, this.namespaceClass.length);
    this.namespaceClass.push(cls);
  }

  private servedBy(destination: E): P[] {
    return destination.ports === undefined
      ? [...this.ports]
      : destination.ports.map((port) => this.ports[this.portAt(port)]!);
  }

  private portAt(port: PortSpec): number {
    const p = this.portIndex.get(portKey(port));
    if (p === undefined) throw new Error(`bug: port ${portKey(port)} is not in the matrix`);
    return p;
  }

  /** Flows between two different endpoints (by key) whose cell passes `test`, port-major. */
  private flows(test: (s: number, d: number, p: number) => boolean): Flow<E, P>[] {
    const flows: Flow<E, P>[] = [];
    this.ports.forEach((port, p) => {
      this.sources.forEach((from, s) => {
        this.destinations.forEach((to, d) => {
          if (from.key !== to.key && test(s, d, p)) flows.push({ from, to, port });
        });
      });
    });
    return flows;
  }
}

/** The distinct endpoints of one side of the matrix, numbered in order of first use. */
class Endpoints {
  readonly list: Endpoint[] = [];
  private readonly index = new Map<string, number>();

  add(endpoint: Endpoint): number {
    const key = "ip" in endpoint ? `ip ${endpoint.ip}` : `${endpoint.namespace}/${endpoint.pod}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(endpoint);
      this.index.set(key, i);
    }
    return i;
  }
}

/** The reachability of a plan: its pods and the places outside the cluster, on the ports they serve. */
export type PlanReachability = Reachability<PlanEndpoint, PortRef>;

export function reachabilityOf(config: SegmentationConfig, objects: PlannedObjects): PlanReachability {
  const { estate, sources, destinations, ports } = planEndpoints(config, objects);
  return new Reachability({ estate }, sources, destinations, ports);
}

/** What the reachability of a plan is computed over: the probe estate, its endpoints and their ports. */
export function planEndpoints(
  config: SegmentationConfig,
  objects: PlannedObjects,
): { estate: Estate; sources: PlanEndpoint[]; destinations: PlanEndpoint[]; ports: PortRef[] } {
  const probe = probeEstate(config, objects);
  const pods = probe.pods.map(podEndpoint);
  const sources = [...pods, ...outsideSources(config)];
  const destinations = [...pods, ...outsideDestinations(config)];
  return {
    estate: probe.estate,
    sources,
    destinations,
    ports: uniquePorts(destinations.flatMap((d) => d.ports)),
  };
}

/** The area of a pod endpoint in an area namespace. */
export function areaOf(endpoint: PlanEndpoint): Area | undefined {
  return endpoint.role.kind === "area-pod" ? endpoint.role.area : undefined;
}

function tcp(port: number): PortRef {
  return { port, protocol: "TCP" };
}

function uniquePorts(ports: readonly PortRef[]): PortRef[] {
  const byText = new Map(ports.map((p) => [portText(p), p]));
  return [...byText.values()].sort(comparePorts);
}
