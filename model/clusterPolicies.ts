/**
 * The platform's boundaries as Admin-tier cluster policies (`policyMode: clusterTier`): what the design says
 * must never open, stated once for the whole cluster where no NetworkPolicy can undo it.
 *
 * The stack renders the EKS flavour, `networking.k8s.aws/v1alpha1` ClusterNetworkPolicy, the API the VPC CNI
 * v1.21.1+ enforces (docs/cluster-tier-policies.md compares it with upstream `policy.networking.k8s.io`
 * v1alpha2). Its actions are `Accept`, `Deny` and `Pass`: the EKS guide and blog posts say "Allow", the CRD
 * the cluster runs only takes `Accept`, and we follow the CRD. The policies here only Deny and Pass:
 *
 *   netseg-controller-<area>   (Admin 10+)  an area's controller takes pods only of its callers and
 *                                           monitoring, and reaches DNS, the API server and its backends
 *   netseg-tools               (Admin 20)   monitoring and vault reach no instance metadata and no private
 *                                           range outside the cluster, node metrics aside
 *   netseg-workaround-<area>   (Admin 30+)  namespaces that admit another area's controller admit it
 *   netseg-area-<area>-strict  (Admin 90+)  strict namespaces of an area take pods only of the areas
 *                                           the strict rules allow (contracts open pods inside that)
 *   netseg-area-<area>         (Admin 100+) pods of an area take pods only of the areas the rules allow,
 *                                           monitoring and their controller, and reach no private range
 *                                           outside the area's VPCs and DNS, nor instance metadata
 *
 * No Baseline tier: a Baseline deny for area pods would isolate a namespace's pods the moment it is
 * created, before its allows exist (test/components/rollout.test.ts evaluates those states). A namespace
 * the config drops keeps its retained default-deny instead.
 *
 * Why the defaults stay in namespace NetworkPolicies and not in the Baseline tier: a NetworkPolicy that
 * selects a pod takes the whole decision for that side, and the Baseline tier is only asked when none does.
 * A team's contract policy selecting its pods would then silently drop every Baseline allow (monitoring,
 * the controller, the area rules). Namespace policies add up, so contracts open flows inside the bounds
 * and never close the defaults. `Pass` hands exactly those flows to them.
 *
 * Every object selects by label (`networkArea`, the namespace name label, the extra-controller label), so
 * their number does not grow with the namespaces: at most 3 + 1 + 3 + 3 + 3.
 */
import { INSTANCE_METADATA_CIDR, NON_PUBLIC_RANGES, subtract } from "../core/cidr";
import type { LabelSelector } from "../core/k8s";
import {
  AREA_LABEL,
  extraIngressLabel,
  MANAGED_LABEL,
  NAMESPACE_NAME_LABEL,
  PHASE_LABEL,
} from "../core/labels";
import { AREA_RULES, AREAS, type Area, controllerCallers } from "./areas";
import type { SegmentationConfig } from "./config";
import { controllerIdentity } from "./controllers";
import { clusterVpcCidrs } from "./ingressPolicies";
import { DESCRIPTION_ANNOTATION } from "./policy";
import { NODE_METRICS_PORTS } from "./toolPolicies";

export const CLUSTER_POLICY_API = "networking.k8s.aws/v1alpha1";

/** The CRD caps `networks` at 25 CIDRs per peer; longer lists are split across peers of one rule. */
const NETWORKS_PER_PEER = 25;

type Action = "Accept" | "Deny" | "Pass";
type Selection =
  | { namespaces: LabelSelector }
  | { pods: { namespaceSelector: LabelSelector; podSelector: LabelSelector } };
type Peer = Selection | { networks: string[] };
type Port = { portNumber: { port: number; protocol: "TCP" | "UDP" } };

export interface ClusterRuleSpec {
  name: string;
  action: Action;
  from?: Peer[];
  to?: Peer[];
  ports?: Port[];
}

export interface ClusterNetworkPolicyObject {
  apiVersion: typeof CLUSTER_POLICY_API;
  kind: "ClusterNetworkPolicy";
  metadata: { name: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: {
    tier: "Admin";
    priority: number;
    subject: Selection;
    ingress?: ClusterRuleSpec[];
    egress?: ClusterRuleSpec[];
  };
}

export interface ClusterPolicySpec {
  /** Pulumi logical name, from the policy's name alone. */
  resourceName: string;
  object: ClusterNetworkPolicyObject;
}

/** The name of an area's Admin policy, which namespace policies that leave bounds to it cite. */
export function areaClusterPolicyName(area: Area): string {
  return `netseg-area-${area}`;
}

/** The cluster-tier objects of the stack: none in `networkPolicy` mode. */
export function planClusterPolicies(config: SegmentationConfig): ClusterPolicySpec[] {
  if (config.policyMode !== "clusterTier") return [];
  const objects = [
    ...AREAS.map((area, index) => controllerPolicy(config, area, 10 + index)),
    toolsPolicy(config),
    ...AREAS.flatMap((area, index) => workaroundPolicy(config, area, 30 + index)),
    ...AREAS.flatMap((area, index) => strictAreaPolicy(config, area, 90 + index)),
    ...AREAS.map((area, index) => areaPolicy(config, area, 100 + index)),
  ];
  return objects.map((object) => ({ resourceName: `cluster-policy-${object.metadata.name}`, object }));
}

/**
 * The private ranges an area's pods may reach outside the pod network: the VPCs of its rules, and the ranges
 * the platform lets its contracts open.
 */
export function allowedPrivateRanges(config: SegmentationConfig, area: Area): string[] {
  return [...areaVpcRanges(config, area), ...config.egress.contractRanges[area]];
}

function areaVpcRanges(config: SegmentationConfig, area: Area): string[] {
  return AREA_RULES[area].egressToVpcs.flatMap(
    (name) => config.vpcs.find((vpc) => vpc.name === name)?.cidrs ?? [],
  );
}

/**
 * What an area's pods must never reach by address: every non-public range but the area's VPCs. The pods'
 * own ranges are in it too: pods are reached as pods (an earlier Pass), not by address.
 */
function forbiddenRanges(config: SegmentationConfig, area: Area): string[] {
  return subtract(NON_PUBLIC_RANGES, allowedPrivateRanges(config, area));
}

function policy(
  name: string,
  description: string,
  spec: ClusterNetworkPolicyObject["spec"],
): ClusterNetworkPolicyObject {
  return {
    apiVersion: CLUSTER_POLICY_API,
    kind: "ClusterNetworkPolicy",
    metadata: {
      name,
      labels: { [MANAGED_LABEL]: "true" },
      annotations: { [DESCRIPTION_ANNOTATION]: description },
    },
    spec,
  };
}

const everyPod: Peer = { namespaces: {} };

function namespaceNamed(name: string): LabelSelector {
  return { matchLabels: { [NAMESPACE_NAME_LABEL]: name } };
}

function podsOf(namespace: string, podLabels: Readonly<Record<string, string>> = {}): Peer {
  return {
    pods: {
      namespaceSelector: namespaceNamed(namespace),
      podSelector: Object.keys(podLabels).length > 0 ? { matchLabels: { ...podLabels } } : {},
    },
  };
}

function areas(list: readonly Area[]): Peer {
  return {
    namespaces: { matchExpressions: [{ key: AREA_LABEL, operator: "In", values: [...list].sort() }] },
  };
}

function networks(cidrs: readonly string[]): Peer[] {
  const peers: Peer[] = [];
  for (let start = 0; start < cidrs.length; start += NETWORKS_PER_PEER) {
    peers.push({ networks: cidrs.slice(start, start + NETWORKS_PER_PEER) });
  }
  return peers;
}

const tcp = (port: number): Port => ({ portNumber: { port, protocol: "TCP" } });
const udp = (port: number): Port => ({ portNumber: { port, protocol: "UDP" } });

function monitoringPods(config: SegmentationConfig): Peer {
  return podsOf(config.tools.monitoring.namespace, config.tools.monitoring.podLabels);
}

/** Cluster DNS, and NodeLocal DNSCache by address when it is deployed. */
function dnsRules(config: SegmentationConfig): ClusterRuleSpec[] {
  const { dns, nodeLocalDns } = config.egress;
  const ports = [udp(53), tcp(53)];
  return [
    { name: "dns", action: "Pass", to: [podsOf(dns.namespace, dns.podLabels)], ports },
    ...(nodeLocalDns
      ? [{ name: "node-local-dns", action: "Pass" as const, to: networks([`${nodeLocalDns}/32`]), ports }]
      : []),
  ];
}

function apiServerRule(config: SegmentationConfig): ClusterRuleSpec {
  return {
    name: "api-server",
    action: "Pass",
    to: networks(config.cluster.controlPlaneCidrs),
    ports: [tcp(443)],
  };
}

function metadataRules(config: SegmentationConfig): ClusterRuleSpec[] {
  return [
    ...(config.egress.instanceMetadata === "allow"
      ? [
          {
            name: "instance-metadata-allowed",
            action: "Pass" as const,
            to: networks([INSTANCE_METADATA_CIDR]),
            ports: [tcp(80)],
          },
        ]
      : []),
    { name: "no-instance-metadata", action: "Deny", to: networks([INSTANCE_METADATA_CIDR]) },
  ];
}

function controllerPolicy(
  config: SegmentationConfig,
  area: Area,
  priority: number,
): ClusterNetworkPolicyObject {
  const identity = controllerIdentity(area);
  const callers = controllerCallers(area);
  const exposedTools = [config.tools.monitoring, config.tools.vault].filter((tool) =>
    tool.exposedVia.includes(area),
  );
  return policy(
    `netseg-controller-${area}`,
    `The ${area} controller takes pods only of ${callers.join(", ") || "no area"} and monitoring (its load balancer and allowlist are decided by its namespace's policies), and reaches only DNS, the API server and the pods it routes to.`,
    {
      tier: "Admin",
      priority,
      subject: { namespaces: namespaceNamed(identity.namespace) },
      ingress: [
        { name: "monitoring", action: "Pass", from: [monitoringPods(config)] },
        ...(callers.length > 0 ? [{ name: "callers", action: "Pass" as const, from: [areas(callers)] }] : []),
        { name: "no-other-pods", action: "Deny", from: [everyPod] },
      ],
      egress: [
        ...dnsRules(config),
        apiServerRule(config),
        { name: "own-area", action: "Pass", to: [{ namespaces: { matchLabels: { [AREA_LABEL]: area } } }] },
        {
          name: "workaround-namespaces",
          action: "Pass",
          to: [{ namespaces: { matchLabels: { [extraIngressLabel(area)]: "true" } } }],
        },
        ...exposedTools.map((tool) => ({
          name: `exposed-${tool.namespace}`,
          action: "Pass" as const,
          to: [podsOf(tool.namespace)],
          ports: tool.ports.map(tcp),
        })),
        { name: "no-other-pods", action: "Deny", to: [everyPod] },
        { name: "nothing-else", action: "Deny", to: networks(["0.0.0.0/0"]) },
      ],
    },
  );
}

function toolsPolicy(config: SegmentationConfig): ClusterNetworkPolicyObject {
  const { monitoring, vault } = config.tools;
  return policy(
    "netseg-tools",
    "Monitoring and vault reach pods, the API server and the internet, and of the VPCs only the nodes' metrics; never instance metadata nor another private range.",
    {
      tier: "Admin",
      priority: 20,
      subject: {
        namespaces: {
          matchExpressions: [
            {
              key: NAMESPACE_NAME_LABEL,
              operator: "In",
              values: [monitoring.namespace, vault.namespace].sort(),
            },
          ],
        },
      },
      egress: [
        ...metadataRules(config),
        ...dnsRules(config),
        { name: "pods", action: "Pass", to: [everyPod, ...networks(config.cluster.cidrs)] },
        apiServerRule(config),
        {
          name: "node-metrics",
          action: "Pass",
          to: networks(clusterVpcCidrs(config)),
          ports: NODE_METRICS_PORTS.map(tcp),
        },
        { name: "no-private-ranges", action: "Deny", to: networks(NON_PUBLIC_RANGES) },
      ],
    },
  );
}

/** Namespaces labelled to admit another area's controller (the seed's workaround) let that controller in. */
function workaroundPolicy(
  config: SegmentationConfig,
  area: Area,
  priority: number,
): ClusterNetworkPolicyObject[] {
  if (!config.namespaces.some((ns) => ns.extraIngressControllers.includes(area))) return [];
  const identity = controllerIdentity(area);
  return [
    policy(
      `netseg-workaround-${area}`,
      `Namespaces that also admit the ${area} controller (moved between areas) let its pods in; their own policies decide which pods.`,
      {
        tier: "Admin",
        priority,
        subject: { namespaces: { matchLabels: { [extraIngressLabel(area)]: "true" } } },
        ingress: [
          {
            name: `${area}-controller`,
            action: "Pass",
            from: [podsOf(identity.namespace, identity.podLabels)],
          },
        ],
      },
    ),
  ];
}

function areaPolicy(config: SegmentationConfig, area: Area, priority: number): ClusterNetworkPolicyObject {
  const rule = AREA_RULES[area];
  const identity = controllerIdentity(area);
  const allowedVpcs = areaVpcRanges(config, area);
  const contractRanges = config.egress.contractRanges[area];
  return policy(
    areaClusterPolicyName(area),
    `Pods of area ${area} take pods only of ${rule.migrationIngressFrom.join(", ")}, monitoring and the ${area} controller, and reach by address only the public internet, cluster DNS, the API server and the VPCs ${rule.egressToVpcs.join(", ")}; no team policy can open more.`,
    {
      tier: "Admin",
      priority,
      subject: { namespaces: { matchLabels: { [AREA_LABEL]: area } } },
      ingress: [
        { name: "monitoring", action: "Pass", from: [monitoringPods(config)] },
        { name: "own-controller", action: "Pass", from: [podsOf(identity.namespace, identity.podLabels)] },
        { name: "allowed-areas", action: "Pass", from: [areas(rule.migrationIngressFrom)] },
        { name: "no-other-pods", action: "Deny", from: [everyPod] },
      ],
      egress: [
        ...metadataRules(config),
        // NodeLocal DNSCache listens on a link-local address, one of the ranges denied below.
        ...dnsRules(config),
        { name: "pods", action: "Pass", to: [everyPod, ...networks(config.cluster.cidrs)] },
        apiServerRule(config),
        ...(allowedVpcs.length > 0
          ? [{ name: "area-vpcs", action: "Pass" as const, to: networks(allowedVpcs) }]
          : []),
        ...(contractRanges.length > 0
          ? [{ name: "contract-ranges", action: "Pass" as const, to: networks(contractRanges) }]
          : []),
        { name: "no-other-private-ranges", action: "Deny", to: networks(forbiddenRanges(config, area)) },
      ],
    },
  );
}

/**
 * Strict namespaces take other areas' pods only as the strict rules say; the area policy after it would
 * pass the wider migration list. It has no egress rule, so egress goes on to the area policy.
 */
function strictAreaPolicy(
  config: SegmentationConfig,
  area: Area,
  priority: number,
): ClusterNetworkPolicyObject[] {
  if (!config.namespaces.some((ns) => ns.area === area && ns.phase === "strict")) return [];
  const rule = AREA_RULES[area];
  const identity = controllerIdentity(area);
  return [
    policy(
      `netseg-area-${area}-strict`,
      `Strict namespaces of area ${area} take pods only of ${rule.strictIngressFrom.join(", ")}, monitoring and the ${area} controller; contracts decide which of their pods.`,
      {
        tier: "Admin",
        priority,
        subject: { namespaces: { matchLabels: { [AREA_LABEL]: area, [PHASE_LABEL]: "strict" } } },
        ingress: [
          { name: "monitoring", action: "Pass", from: [monitoringPods(config)] },
          { name: "own-controller", action: "Pass", from: [podsOf(identity.namespace, identity.podLabels)] },
          { name: "allowed-areas", action: "Pass", from: [areas(rule.strictIngressFrom)] },
          { name: "no-other-pods", action: "Deny", from: [everyPod] },
        ],
      },
    ),
  ];
}
