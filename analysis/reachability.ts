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
  NetworkPolicyEvaluator,
  type PortSpec,
  type Protocol,
  type ReachabilityMatrix,
} from "../evaluator";
import type { Area } from "../model/areas";
import type { SegmentationConfig } from "../model/config";
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
 * Who reaches whom: the evaluator's matrix over a list of sources, destinations and ports, read by key.
 * Plans, the design check, diffs and contract lint all read reachability through this one type.
 */
export class Reachability<E extends Located = Located, P extends PortSpec = PortSpec> {
  readonly sourceIndex: ReadonlyMap<string, number>;
  readonly destinationIndex: ReadonlyMap<string, number>;
  private readonly portIndex: ReadonlyMap<string, number>;
  private readonly matrix: ReachabilityMatrix;

  constructor(
    readonly evaluator: NetworkPolicyEvaluator,
    readonly sources: readonly E[],
    readonly destinations: readonly E[],
    readonly ports: readonly P[],
  ) {
    this.sourceIndex = new Map(sources.map((e, i) => [e.key, i]));
    this.destinationIndex = new Map(destinations.map((e, i) => [e.key, i]));
    this.portIndex = new Map(ports.map((p, i) => [portKey(p), i]));
    this.matrix = evaluator.matrix(
      sources.map((e) => e.endpoint),
      destinations.map((e) => e.endpoint),
      ports.map((p) => ({ port: p.port, ...(p.protocol ? { protocol: p.protocol } : {}) })),
    );
  }

  /** Whether source `s` reaches destination `d` (indexes) on a port of the matrix. */
  allows(s: number, d: number, port: PortSpec): boolean {
    return this.matrix.allowed(s, d, this.portAt(port));
  }

  /** Whether the flow's ends and port are allowed here (ends matched by key, so flows of another estate). */
  allowsFlow(flow: Flow<Located, PortSpec>): boolean {
    const s = this.sourceIndex.get(flow.from.key);
    const d = this.destinationIndex.get(flow.to.key);
    const p = this.portIndex.get(portKey(flow.port));
    return s !== undefined && d !== undefined && p !== undefined && this.matrix.allowed(s, d, p);
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

  /** Every allowed flow between two different endpoints that `keep` accepts. */
  allowed(keep: (flow: Flow<E, P>) => boolean = () => true): Flow<E, P>[] {
    return this.flows((s, d, p) => this.matrix.allowed(s, d, p)).filter(keep);
  }

  /** Every connection (the port exists at the destination) between two different endpoints, allowed or not. */
  connections(keep: (flow: Flow<E, P>) => boolean = () => true): Flow<E, P>[] {
    return this.flows((s, d, p) => this.matrix.applies(s, d, p)).filter(keep);
  }

  /** Allowed here and denied in `other`, which covers the same sources, destinations and ports. */
  allowedBeyond(other: Reachability<E, P>): Flow<E, P>[] {
    return this.flows(
      (s, d, p) =>
        this.matrix.allowed(s, d, p) && other.matrix.applies(s, d, p) && !other.matrix.allowed(s, d, p),
    );
  }

  /** What the evaluator says about one flow, with the policies that decided it. */
  explain(flow: Flow<Located, PortSpec>) {
    return this.evaluator.probe({
      from: flow.from.endpoint,
      to: flow.to.endpoint,
      port: flow.port.port,
      ...(flow.port.protocol ? { protocol: flow.port.protocol } : {}),
    });
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

/** The reachability of a plan: its pods and the places outside the cluster, on the ports they serve. */
export type PlanReachability = Reachability<PlanEndpoint, PortRef>;

export function reachabilityOf(config: SegmentationConfig, objects: PlannedObjects): PlanReachability {
  const probe = probeEstate(config, objects);
  const evaluator = new NetworkPolicyEvaluator(probe.estate);
  const pods = probe.pods.map(podEndpoint);
  const sources = [...pods, ...outsideSources(config)];
  const destinations = [...pods, ...outsideDestinations(config)];
  const ports = uniquePorts(destinations.flatMap((d) => d.ports));
  return new Reachability(evaluator, sources, destinations, ports);
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
