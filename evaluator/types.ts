/**
 * The evaluator's vocabulary: the estate it reasons about (namespaces, pods, NetworkPolicies), the
 * connections it is asked about, and the verdicts it gives. These shapes are also the JSON format of
 * `netseg probe` (DESIGN.md section 7), so field names follow that contract exactly.
 */
import type { NetworkPolicy } from "../core/k8s";

export type Protocol = "TCP" | "UDP" | "SCTP";

export const PROTOCOLS: readonly Protocol[] = ["TCP", "UDP", "SCTP"];

export interface NamespaceInfo {
  name: string;
  /** `kubernetes.io/metadata.name` is added when missing, as the API server does. */
  labels?: Record<string, string>;
}

export interface ContainerPort {
  /** IANA service name, unique within the pod; what named ports in policies refer to. */
  name?: string;
  containerPort: number;
  /** @default "TCP" */
  protocol?: Protocol;
}

export interface PodInfo {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  /** The pod's IPv4 address; ipBlocks match it (the VPC CNI gives pods VPC addresses). */
  ip: string;
  ports?: ContainerPort[];
}

/** Everything the evaluator needs to know about a cluster. */
export interface Estate {
  namespaces: NamespaceInfo[];
  pods: PodInfo[];
  policies: NetworkPolicy[];
}

export type PodEndpoint = { namespace: string; pod: string };
export type IpEndpoint = { ip: string };
/** A pod of the estate, or an address; an address that belongs to a pod is that pod. */
export type Endpoint = PodEndpoint | IpEndpoint;

/** One connection to decide: `port` is a number, or the name of a container port of the destination pod. */
export interface Probe {
  from: Endpoint;
  to: Endpoint;
  port: number | string;
  /** @default the named port's protocol, else "TCP" */
  protocol?: Protocol;
}

/** A port of a matrix: like a probe's port, resolved against each destination pod when it is a name. */
export interface PortSpec {
  port: number | string;
  protocol?: Protocol;
}

export type Direction = "ingress" | "egress";

/** A rule of a policy, as `namespace/name ingress[0]`; `peer` is the index in `from`/`to` that matched. */
export interface RuleRef {
  policy: string;
  direction: Direction;
  rule: number;
  /** Absent when the rule has no `from`/`to` and so admits every peer. */
  peer?: number;
}

/** What one side of a connection (egress at the source, ingress at the destination) decided. */
export interface SideVerdict {
  direction: Direction;
  /** `namespace/name` of the pod whose policies apply; absent for an address outside the estate's pods. */
  pod?: string;
  /** True when some policy of the pod's namespace selects it for this direction. */
  isolated: boolean;
  /** `namespace/name` of every policy that isolates the pod for this direction, sorted. */
  isolatedBy: string[];
  /** Every rule that admits the connection; empty when the side is not isolated or nothing admits it. */
  allowedBy: RuleRef[];
  allowed: boolean;
}

export interface ProbeResult {
  /** A pod reaching itself is always allowed, whatever its sides say (NetworkPolicies never block it). */
  verdict: "allow" | "deny";
  /** One line naming the policies that decided it. */
  reason: string;
  /** The connection as the data plane sees it: named ports resolved against the destination pod. */
  connection: { port: number; protocol: Protocol; portName?: string };
  egress: SideVerdict;
  ingress: SideVerdict;
}
