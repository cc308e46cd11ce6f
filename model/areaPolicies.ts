/**
 * The default NetworkPolicies of every area namespace, rendered from the area rules (`areas.ts`) for the
 * namespace's phase. Each namespace gets the same small set of policies whatever the size of the estate:
 *
 *   netseg-allow-ingress            every pod (migration: the area rules, the controllers, monitoring;
 *                                   strict: monitoring)
 *   netseg-allow-ingress-endpoints  pods labelled endpoint=true: every rule they take (migration: the
 *                                   same as every pod; strict: the area rules, the controllers, monitoring)
 *   netseg-allow-egress             public internet, the cluster's pods, the area's VPCs, cluster DNS
 *                                   (clusterTier: all the cluster tier passes on but closed stores and
 *                                   contract ranges, and cluster DNS)
 *   netseg-default-deny             isolates every pod for ingress and egress
 *
 * A policy isolates the pods it selects, in its direction, the moment it exists. So every rule a pod takes
 * in a direction lives in the one policy that first isolates it there, and a policy selecting more pods
 * waits for the narrower one: whatever order the engine creates them in, no pod is isolated without all of
 * its allows. The default-deny waits for every allow.
 *
 * The default-deny is also the one policy left in the cluster when the stack stops declaring it: a namespace
 * dropped from config keeps its pods isolated, never open, until it is deleted. A retired namespace keeps
 * only the default-deny, as a quarantine.
 */

import { ALL_IPV4, INSTANCE_METADATA_CIDR, sortCidrs } from "../core/cidr";
import type {
  LabelSelector,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
} from "../core/k8s";
import { DEFAULT_POLICY_LABEL } from "../core/labels";
import { AREA_RULES, type Area } from "./areas";
import { areaClusterPolicyName } from "./clusterPolicies";
import type { NamespaceConfig, RetiredNamespaceConfig, SegmentationConfig } from "./config";
import {
  ALL_PODS,
  anyAreaNamespace,
  controllerPods,
  dnsRule,
  ENDPOINT_PODS,
  ipBlocks,
  namespacesInAreas,
  podsOfNamespace,
  publicInternetPeers,
  tcp,
} from "./peers";
import { type PolicySpec, policyResourceName } from "./policy";
import { closedStoreSubnets, outsideClosedStores } from "./storePolicies";

/** The names of an area namespace's policies. */
export const AREA_POLICY = {
  ingress: "netseg-allow-ingress",
  ingressEndpoints: "netseg-allow-ingress-endpoints",
  egress: "netseg-allow-egress",
  defaultDeny: "netseg-default-deny",
} as const;

export const DEFAULT_DENY = AREA_POLICY.defaultDeny;

const DEFAULT_LABELS = { [DEFAULT_POLICY_LABEL]: "true" };

/** The default policies of every area namespace and the quarantine of every retired one, by resource name. */
export function planAreaPolicies(config: SegmentationConfig): PolicySpec[] {
  const egress = planEgressRules(config);
  return [
    ...config.namespaces.flatMap((ns) => namespacePolicies(config, ns, egress)),
    ...config.retiredNamespaces.map(quarantine),
  ].sort(byResourceName);
}

function quarantine(ns: RetiredNamespaceConfig): PolicySpec {
  return defaultDeny(
    policiesOf(ns.name),
    `Quarantine: ${ns.name} is retired from area ${ns.area}, so every pod is isolated for ingress and egress until the namespace is deleted.`,
    [],
  );
}

/** Isolates every pod of the namespace in both directions, after `allows`; kept in the cluster if dropped. */
function defaultDeny(policy: PolicyMaker, description: string, allows: PolicySpec[]): PolicySpec {
  return {
    ...policy(
      AREA_POLICY.defaultDeny,
      description,
      { podSelector: ALL_PODS, policyTypes: ["Ingress", "Egress"] },
      allows,
    ),
    retainOnDelete: true,
  };
}

/**
 * Egress rules by area: the same for every namespace of an area, whatever its phase. Every area reaches the
 * API server on 443: workloads use their service account tokens (operators, leader election, Vault's
 * Kubernetes auth), and what a token may do is the API server's decision (authentication and RBAC), not
 * the network's.
 */
function planEgressRules(config: SegmentationConfig): (area: Area) => NetworkPolicyEgressRule[] {
  const dns = dnsRule(config);
  if (config.policyMode === "clusterTier")
    return (area) => [{ to: [insideTheClusterTier(config, area)] }, dns];
  const internet = publicInternetPeers(config);
  const api: NetworkPolicyEgressRule = { to: ipBlocks(config.cluster.controlPlaneCidrs), ports: [tcp(443)] };
  return (area) => {
    const vpcCidrs = AREA_RULES[area].egressToVpcs.flatMap(
      (name) => config.vpcs.find((vpc) => vpc.name === name)?.cidrs ?? [],
    );
    const rules: NetworkPolicyEgressRule[] = [
      { to: internet },
      // Other pods by address: the destination's own ingress policies still decide.
      { to: ipBlocks(outsideClosedStores(config, config.cluster.cidrs)) },
      // A store in clients phase is reached through its clients' own policies only (model/storePolicies.ts).
      { to: ipBlocks(outsideClosedStores(config, vpcCidrs)) },
      api,
    ];
    if (config.egress.instanceMetadata === "allow") {
      rules.push({ to: ipBlocks([INSTANCE_METADATA_CIDR]), ports: [tcp(80)] });
    }
    return [...rules, dns];
  };
}

/**
 * In clusterTier mode the area's Admin policy already denies instance metadata (but TCP 80 with
 * `egress.instanceMetadata: allow`) and every private range outside the area's VPCs, and passes on only the
 * public internet, the pods, the API server on 443, DNS, those VPCs and the contract ranges
 * (`clusterPolicies.ts`). The namespace's egress then needs to name only what it keeps back
 * inside that: the subnets of stores in clients phase and the area's contract ranges, which their own
 * policies open. One ipBlock instead of every VPC range in every namespace, so a VPC that gains a range
 * changes the cluster tier and no namespace. test/analysis/clusterTierDefaults.test.ts proves that every
 * verdict is the one the full rendering gives.
 */
function insideTheClusterTier(config: SegmentationConfig, area: Area): NetworkPolicyPeer {
  const keptBack = sortCidrs([
    ...new Set([...closedStoreSubnets(config), ...config.egress.contractRanges[area]]),
  ]);
  return { ipBlock: { cidr: ALL_IPV4, ...(keptBack.length > 0 ? { except: keptBack } : {}) } };
}

type PolicyMaker = (
  name: string,
  description: string,
  spec: PolicySpec["spec"],
  after?: PolicySpec[],
) => PolicySpec;

/** Builds the policies of one namespace, each after the policies given as `after`. */
function policiesOf(namespace: string): PolicyMaker {
  return (name, description, spec, after = []) => ({
    resourceName: policyResourceName(namespace, name),
    namespace,
    name,
    labels: DEFAULT_LABELS,
    description,
    spec,
    after: after.map((policy) => policy.resourceName).sort(),
  });
}

function namespacePolicies(
  config: SegmentationConfig,
  ns: NamespaceConfig,
  egress: (area: Area) => NetworkPolicyEgressRule[],
): PolicySpec[] {
  const policy = policiesOf(ns.name);
  const allows = [...ingressAllows(config, ns, policy), egressAllow(config, ns, egress(ns.area), policy)];
  const deny = defaultDeny(
    policy,
    `Isolates every pod of ${ns.name} (area ${ns.area}, ${ns.phase} phase): only what the other netseg policies and the service's contracts allow gets through.`,
    allows,
  );
  return [...allows, deny];
}

/**
 * The ingress allows, the same two policies in both phases so that a phase switch updates them in place.
 * Migration: endpoint pods take the same rules as every pod. Strict: endpoint pods take the area rules, the
 * controllers and monitoring; other pods only monitoring.
 */
function ingressAllows(config: SegmentationConfig, ns: NamespaceConfig, policy: PolicyMaker): PolicySpec[] {
  const rule = AREA_RULES[ns.area];
  const monitoring = monitoringRule(config);
  const controllers = controllerRule(ns);
  const others = `${controllers.description} and monitoring in ${config.tools.monitoring.namespace}`;
  if (ns.phase === "migration") {
    const rules: NetworkPolicyIngressRule[] = [
      { from: [{ podSelector: {} }] },
      { from: [namespacesInAreas(rule.migrationIngressFrom)] },
      controllers.rule,
      monitoring,
    ];
    const accepted = `its own namespace and namespaces of ${list(rule.migrationIngressFrom)} (rules of area ${ns.area}), ${others}`;
    return endpointsThenEveryPod(
      policy,
      {
        description: `Migration phase: pods labelled endpoint=true accept what every pod does: ${accepted}.`,
        rules,
      },
      { description: `Migration phase: every pod accepts ${accepted}.`, rules },
    );
  }
  return endpointsThenEveryPod(
    policy,
    {
      description: `Strict phase: pods labelled endpoint=true accept namespaces of ${list(rule.strictIngressFrom)} (rules of area ${ns.area}), ${others}.`,
      rules: [{ from: [namespacesInAreas(rule.strictIngressFrom)] }, controllers.rule, monitoring],
    },
    {
      description: `Strict phase: every pod accepts monitoring in ${config.tools.monitoring.namespace}; pods other than endpoints take other traffic only through contracts.`,
      rules: [monitoring],
    },
  );
}

interface IngressRules {
  description: string;
  rules: NetworkPolicyIngressRule[];
}

/**
 * The two ingress allows of an area namespace. `endpoints` must hold every rule endpoint pods take, those of
 * `everyPod` included: the every-pod policy waits for it, since created first it would isolate endpoint
 * pods with only the every-pod rules.
 */
function endpointsThenEveryPod(
  policy: PolicyMaker,
  endpoints: IngressRules,
  everyPod: IngressRules,
): PolicySpec[] {
  const first = ingressPolicy(policy, AREA_POLICY.ingressEndpoints, ENDPOINT_PODS, endpoints);
  return [first, ingressPolicy(policy, AREA_POLICY.ingress, ALL_PODS, everyPod, [first])];
}

function ingressPolicy(
  policy: PolicyMaker,
  name: string,
  pods: LabelSelector,
  { description, rules }: IngressRules,
  after: PolicySpec[] = [],
): PolicySpec {
  return policy(name, description, { podSelector: pods, policyTypes: ["Ingress"], ingress: rules }, after);
}

function controllerRule(ns: NamespaceConfig): { rule: NetworkPolicyIngressRule; description: string } {
  const controllers = [ns.area, ...ns.extraIngressControllers];
  return {
    rule: { from: controllers.map(controllerPods) },
    description: `the ingress controller of ${list(controllers)}${
      ns.extraIngressControllers.length > 0
        ? " (a namespace moved between areas keeps its old controller)"
        : ""
    }`,
  };
}

function monitoringRule(config: SegmentationConfig): NetworkPolicyIngressRule {
  const { monitoring } = config.tools;
  return { from: [podsOfNamespace(monitoring.namespace, monitoring.podLabels)] };
}

function egressAllow(
  config: SegmentationConfig,
  ns: NamespaceConfig,
  egress: NetworkPolicyEgressRule[],
  policy: PolicyMaker,
): PolicySpec {
  const rule = AREA_RULES[ns.area];
  if (config.policyMode === "clusterTier") {
    const contracts =
      config.egress.contractRanges[ns.area].length > 0
        ? " The area's contract ranges are left out: only contracts open them."
        : "";
    return policy(
      AREA_POLICY.egress,
      `Pods may reach what the cluster tier passes on (ClusterNetworkPolicy ${areaClusterPolicyName(ns.area)}: the public internet, the cluster's pods, the VPCs of area ${ns.area} (${list(rule.egressToVpcs)}), the API server on 443 and cluster DNS); it denies other private addresses and instance metadata${
        config.egress.instanceMetadata === "allow" ? " (but on TCP 80, allowed here)" : ""
      }.${contracts}`,
      { podSelector: ALL_PODS, policyTypes: ["Egress"], egress },
    );
  }
  return policy(
    AREA_POLICY.egress,
    `Pods may reach the public internet, the cluster's pods, the VPCs of area ${ns.area} (${list(rule.egressToVpcs)}), the API server on 443 and cluster DNS on UDP and TCP 53; other private addresses and instance metadata${
      config.egress.instanceMetadata === "allow" ? " (allowed here)" : ""
    } are denied.`,
    { podSelector: ALL_PODS, policyTypes: ["Egress"], egress },
  );
}

/** The names of a tool namespace's ingress policies; its egress policy is in `toolPolicies.ts`. */
export const TOOL_POLICY = {
  ingress: "netseg-allow-ingress",
  /** Vault's own pods (`tools.vault.podLabels`): every ingress rule they take. */
  ingressVault: "netseg-allow-ingress-vault",
  defaultDeny: "netseg-default-deny-ingress",
} as const;

/**
 * Ingress policies of the tools' namespaces: their pods talk to each other, vault accepts every area
 * namespace on its ports and monitoring's scrapes, and each tool accepts the controllers that expose it.
 * As in an area namespace, the rules a pod takes live in the one policy that first isolates it: Vault's own
 * pods take all of theirs from `netseg-allow-ingress-vault`, and `netseg-allow-ingress`, which selects every
 * pod, waits for it; the default-deny waits for both. Their egress is `toolPolicies.ts`.
 */
export function planToolPolicies(config: SegmentationConfig): PolicySpec[] {
  const { monitoring, vault } = config.tools;
  const specs: PolicySpec[] = [];
  for (const [toolName, tool] of [
    ["monitoring", monitoring],
    ["vault", vault],
  ] as const) {
    const policy = policiesOf(tool.namespace);
    const exposed = tool.exposedVia.length > 0;
    const accepted = `the namespace's own pods${
      exposed
        ? ` and, on its ports, the ingress controller of ${list(tool.exposedVia)}, which exposes ${toolName} outside the cluster`
        : ""
    }`;
    const everyPod: IngressRules = {
      description: `Every pod of the ${toolName} namespace accepts ${accepted}.`,
      rules: [
        { from: [{ podSelector: {} }] },
        ...(exposed ? [{ from: tool.exposedVia.map(controllerPods), ports: tool.ports.map(tcp) }] : []),
      ],
    };
    const allows: PolicySpec[] = [];
    if (toolName === "vault") {
      const own = ingressPolicy(policy, TOOL_POLICY.ingressVault, selectorOf(tool.podLabels), {
        description: `Vault's pods accept every area namespace on Vault's ports (each reads its secrets), monitoring in ${monitoring.namespace} (it scrapes Vault), and, as every pod of the namespace does, ${accepted}.`,
        rules: [
          { from: [anyAreaNamespace()], ports: tool.ports.map(tcp) },
          { from: [podsOfNamespace(monitoring.namespace, monitoring.podLabels)] },
          ...everyPod.rules,
        ],
      });
      allows.push(own, ingressPolicy(policy, TOOL_POLICY.ingress, ALL_PODS, everyPod, [own]));
    } else {
      allows.push(ingressPolicy(policy, TOOL_POLICY.ingress, ALL_PODS, everyPod));
    }
    specs.push(
      ...allows,
      policy(
        TOOL_POLICY.defaultDeny,
        `Isolates the ${toolName} pods for ingress: only what the other netseg policies allow gets in.`,
        { podSelector: ALL_PODS, policyTypes: ["Ingress"] },
        allows,
      ),
    );
  }
  return specs.sort(byResourceName);
}

function selectorOf(labels: Readonly<Record<string, string>>) {
  return Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : ALL_PODS;
}

function list(values: readonly string[]): string {
  return values.length <= 1 ? (values[0] ?? "") : `${values.slice(0, -1).join(", ")} and ${values.at(-1)}`;
}

function byResourceName(a: PolicySpec, b: PolicySpec): number {
  return a.resourceName < b.resourceName ? -1 : a.resourceName > b.resourceName ? 1 : 0;
}
