/**
 * The evaluator's vocabulary: the estate it reasons about (namespaces, pods, NetworkPolicies and
 * cluster-tier policies), the connections it is asked about, and the verdicts it gives. These shapes are also the JSON format of
 * `netseg probe` (DESIGN.md section 7), so field names follow that contract exactly.
 */
import type { LabelSelector, NetworkPolicy } from "../core/k8s";

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
  /** The pod's IPv4 or IPv6 address; ipBlocks and `networks` match it (the VPC CNI gives pods VPC addresses). */
  ip: string;
  ports?: ContainerPort[];
}

/** Everything the evaluator needs to know about a cluster. */
export interface Estate {
  namespaces: NamespaceInfo[];
  pods: PodInfo[];
  /**
   * NetworkPolicies. Cluster-tier manifests given here (told apart by apiVersion and kind, as in a
   * `netseg probe` file) are moved to `clusterPolicies` by validation.
   */
  policies: NetworkPolicy[];
  /**
   * Cluster-tier policies as manifests, in any of the flavours of `CLUSTER_TIER_KINDS`: the EKS and the
   * upstream ClusterNetworkPolicy, and v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy.
   * @default []
   */
  clusterPolicies?: ClusterTierManifest[];
}

/** A cluster-scoped policy object as `kubectl apply` receives it; validation checks the rest. */
export interface ClusterTierManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  spec: Record<string, unknown>;
}

export type Tier = "Admin" | "Baseline";

/** What a cluster-tier rule does; v1alpha1's `Allow` is the same as `Accept`. */
export type TierAction = "Accept" | "Deny" | "Pass";

export type ClusterPolicyKind = "ClusterNetworkPolicy" | "AdminNetworkPolicy" | "BaselineAdminNetworkPolicy";

/** `namespaces`: every pod of the namespaces selected; `pods`: the pods selected in those namespaces. */
export type ClusterSelection =
  | { namespaces: LabelSelector }
  | { pods: { namespaceSelector: LabelSelector; podSelector: LabelSelector } };

export type ClusterPeer =
  | ClusterSelection
  /** Canonical CIDRs, IPv4 or IPv6; they match pods by address too. */
  | { networks: string[] }
  /** Not evaluated: matches no connection (input validation warns). */
  | { domainNames: string[] };

/** A destination port: one number, an inclusive range, or a container port's name at the destination. */
export type ClusterPort =
  | { protocol: Protocol; port: number }
  | { protocol: Protocol; start: number; end: number }
  | { namedPort: string };

export interface ClusterRule {
  name?: string;
  action: TierAction;
  peers: ClusterPeer[];
  /** Undefined: every port and protocol. */
  ports?: ClusterPort[];
}

/** One cluster-tier policy of any flavour, normalised: what the evaluator compiles. */
export interface ClusterPolicy {
  apiVersion: string;
  kind: ClusterPolicyKind;
  name: string;
  tier: Tier;
  /** 0..1000, lower first. Undefined for a BaselineAdminNetworkPolicy, which runs after the Baseline CNPs. */
  priority?: number;
  subject: ClusterSelection;
  ingress: ClusterRule[];
  egress: ClusterRule[];
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

/** A rule of a cluster-tier policy, as `Admin ClusterNetworkPolicy name ingress[1] (Deny)`. */
export interface TierRuleRef {
  tier: Tier;
  kind: ClusterPolicyKind;
  /** The policy's name (cluster-scoped objects have no namespace). */
  policy: string;
  direction: Direction;
  rule: number;
  /** The rule's `name`, when it has one. */
  name?: string;
  action: TierAction;
  /** Index in the rule's `from`/`to` that matched. */
  peer: number;
}

/**
 * Which stage of the pipeline decided a side: an Admin rule (Accept or Deny), the NetworkPolicies (the pod
 * is isolated), a Baseline rule (Accept or Deny), or nothing ("default": allowed). "none" for an address
 * outside the estate's pods, which has no side.
 */
export type DecidingTier = "Admin" | "NetworkPolicy" | "Baseline" | "default" | "none";

/** What one side of a connection (egress at the source, ingress at the destination) decided. */
export interface SideVerdict {
  direction: Direction;
  /** `namespace/name` of the pod whose policies apply; absent for an address outside the estate's pods. */
  pod?: string;
  /** True when some policy of the pod's namespace selects it for this direction. */
  isolated: boolean;
  /** `namespace/name` of every policy that isolates the pod for this direction, sorted. */
  isolatedBy: string[];
  /** Every NetworkPolicy rule that admits the connection; empty when the side is not isolated or nothing admits it. */
  allowedBy: RuleRef[];
  /** The side's final answer, after every tier. */
  allowed: boolean;
  /** The stage that decided `allowed`. Without cluster-tier policies: "NetworkPolicy" or "default". */
  decidedBy: DecidingTier;
  /** The Admin or Baseline rule that decided, when `decidedBy` is "Admin" or "Baseline". */
  tierRule?: TierRuleRef;
  /** The Admin rule whose Pass handed the side on to the NetworkPolicies, when one did. */
  passedBy?: TierRuleRef;
}

export interface ProbeResult {
  /** A pod reaching itself is always allowed, whatever its sides say (policies never block it). */
  verdict: "allow" | "deny";
  /** One line naming the tier, policies and rules that decided it. */
  reason: string;
  /** The connection as the data plane sees it: named ports resolved against the destination pod. */
  connection: { port: number; protocol: Protocol; portName?: string };
  egress: SideVerdict;
  ingress: SideVerdict;
}
