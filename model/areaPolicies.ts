/**
 * The default NetworkPolicies of every area namespace, rendered from the area rules (`areas.ts`) for the
 * namespace's phase. Each namespace gets the same small set of policies whatever the size of the estate:
 *
 *   netseg-default-deny           isolates every pod for ingress and egress
 *   netseg-allow-ingress-areas    the area rules (migration: all pods; strict: endpoint pods)
 *   netseg-allow-ingress-controllers  the area's controller, plus other areas' for workaround namespaces
 *   netseg-allow-ingress-monitoring   Prometheus
 *   netseg-allow-egress           public internet, the cluster's pods, the area's VPCs
 *   netseg-allow-egress-dns       cluster DNS, with an explicit peer
 *
 * The allows come first and the default-deny waits for all of them, so creating a namespace's policies
 * never leaves a moment where traffic is cut.
 */

import { INSTANCE_METADATA_CIDR, NON_PUBLIC_RANGES, publicInternet } from "../core/cidr";
import type { NetworkPolicyEgressRule, NetworkPolicyPeer } from "../core/k8s";
import { DEFAULT_POLICY_LABEL } from "../core/labels";
import { AREA_RULES, type Area } from "./areas";
import type { NamespaceConfig, SegmentationConfig } from "./config";
import {
  ALL_PODS,
  anyAreaNamespace,
  controllerPods,
  ENDPOINT_PODS,
  ipBlocks,
  namespacesInAreas,
  podsOfNamespace,
  tcp,
  udp,
} from "./peers";
import { type PolicySpec, policyResourceName } from "./policy";

export const DEFAULT_DENY = "netseg-default-deny";

const DEFAULT_LABELS = { [DEFAULT_POLICY_LABEL]: "true" };

/** The default policies of every area namespace, sorted by resource name. */
export function planAreaPolicies(config: SegmentationConfig): PolicySpec[] {
  const egress = planEgressRules(config);
  return config.namespaces.flatMap((ns) => namespacePolicies(config, ns, egress)).sort(byResourceName);
}

/** Egress rules by area: the same for every namespace of an area, whatever its phase. */
function planEgressRules(config: SegmentationConfig): (area: Area) => NetworkPolicyEgressRule[] {
  const internet: NetworkPolicyPeer[] =
    config.egress.publicInternet === "complement"
      ? ipBlocks(publicInternet())
      : // Listed as the documented alternative: the VPC CNI has mis-enforced `except` (research NP-03/NP-06).
        [{ ipBlock: { cidr: "0.0.0.0/0", except: [...NON_PUBLIC_RANGES] } }];
  return (area) => {
    const vpcCidrs = AREA_RULES[area].egressToVpcs.flatMap(
      (name) => config.vpcs.find((vpc) => vpc.name === name)?.cidrs ?? [],
    );
    const rules: NetworkPolicyEgressRule[] = [
      { to: internet },
      // Other pods by address: the destination's own ingress policies still decide.
      { to: ipBlocks(config.cluster.cidrs) },
      { to: ipBlocks(vpcCidrs) },
    ];
    if (config.egress.instanceMetadata === "allow") {
      rules.push({ to: ipBlocks([INSTANCE_METADATA_CIDR]), ports: [tcp(80)] });
    }
    return rules;
  };
}

function namespacePolicies(
  config: SegmentationConfig,
  ns: NamespaceConfig,
  egress: (area: Area) => NetworkPolicyEgressRule[],
): PolicySpec[] {
  const rule = AREA_RULES[ns.area];
  const strict = ns.phase === "strict";
  const exposed = strict ? ENDPOINT_PODS : ALL_PODS;
  const controllers = [ns.area, ...ns.extraIngressControllers];
  const monitoring = config.tools.monitoring;
  const policy = (name: string, description: string, spec: PolicySpec["spec"]): PolicySpec => ({
    resourceName: policyResourceName(ns.name, name),
    namespace: ns.name,
    name,
    labels: DEFAULT_LABELS,
    description,
    spec,
    after: [],
  });

  const allows = [
    strict
      ? policy(
          "netseg-allow-ingress-areas",
          `Strict phase: pods labelled endpoint=true accept namespaces of ${list(rule.strictIngressFrom)} (rules of area ${ns.area}); other pods only through contracts.`,
          {
            podSelector: ENDPOINT_PODS,
            policyTypes: ["Ingress"],
            ingress: [{ from: [namespacesInAreas(rule.strictIngressFrom)] }],
          },
        )
      : policy(
          "netseg-allow-ingress-areas",
          `Migration phase: every pod accepts its own namespace and namespaces of ${list(rule.migrationIngressFrom)} (rules of area ${ns.area}).`,
          {
            podSelector: ALL_PODS,
            policyTypes: ["Ingress"],
            ingress: [
              { from: [{ podSelector: {} }] },
              { from: [namespacesInAreas(rule.migrationIngressFrom)] },
            ],
          },
        ),
    policy(
      "netseg-allow-ingress-controllers",
      `The ingress controller of ${list(controllers)} may reach ${strict ? "endpoint=true pods" : "every pod"}${
        ns.extraIngressControllers.length > 0
          ? " (a namespace moved between areas keeps its old controller)"
          : ""
      }.`,
      {
        podSelector: exposed,
        policyTypes: ["Ingress"],
        ingress: [{ from: controllers.map(controllerPods) }],
      },
    ),
    policy("netseg-allow-ingress-monitoring", `Monitoring in ${monitoring.namespace} scrapes every pod.`, {
      podSelector: ALL_PODS,
      policyTypes: ["Ingress"],
      ingress: [{ from: [podsOfNamespace(monitoring.namespace, monitoring.podLabels)] }],
    }),
    policy(
      "netseg-allow-egress",
      `Pods may reach the public internet, the cluster's pods and the VPCs of area ${ns.area} (${list(rule.egressToVpcs)}); other private addresses and instance metadata${
        config.egress.instanceMetadata === "allow" ? " (allowed here)" : ""
      } are denied.`,
      { podSelector: ALL_PODS, policyTypes: ["Egress"], egress: egress(ns.area) },
    ),
    policy(
      "netseg-allow-egress-dns",
      "Pods may resolve names through cluster DNS on UDP and TCP 53; the rule names its peer because a ports-only rule next to ipBlocks is mis-enforced by the VPC CNI.",
      {
        podSelector: ALL_PODS,
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              podsOfNamespace(config.egress.dns.namespace, config.egress.dns.podLabels),
              // NodeLocal DNSCache runs on the host network, where no selector reaches it.
              ...ipBlocks(config.egress.nodeLocalDns ? [`${config.egress.nodeLocalDns}/32`] : []),
            ],
            ports: [udp(53), tcp(53)],
          },
        ],
      },
    ),
  ];
  const deny: PolicySpec = {
    ...policy(
      DEFAULT_DENY,
      `Isolates every pod of ${ns.name} (area ${ns.area}, ${ns.phase} phase): only what the other netseg policies and the service's contracts allow gets through.`,
      { podSelector: ALL_PODS, policyTypes: ["Ingress", "Egress"] },
    ),
    after: allows.map((allow) => allow.resourceName).sort(),
  };
  return [...allows, deny];
}

/**
 * Policies of the tools' namespaces: vault accepts every area namespace on its ports, monitoring and vault
 * accept the controllers that expose them. Their egress stays open: Prometheus scrapes every pod.
 */
export function planToolPolicies(config: SegmentationConfig): PolicySpec[] {
  const { monitoring, vault } = config.tools;
  const specs: PolicySpec[] = [];
  for (const [toolName, tool] of [
    ["monitoring", monitoring],
    ["vault", vault],
  ] as const) {
    const allows: PolicySpec[] = [];
    const add = (name: string, description: string, spec: PolicySpec["spec"]) =>
      allows.push({
        resourceName: policyResourceName(tool.namespace, name),
        namespace: tool.namespace,
        name,
        labels: DEFAULT_LABELS,
        description,
        spec,
        after: [],
      });
    add("netseg-allow-ingress-same-namespace", `Pods of the ${toolName} namespace talk to each other.`, {
      podSelector: ALL_PODS,
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: {} }] }],
    });
    if (toolName === "vault") {
      add("netseg-allow-ingress-areas", "Every area namespace reads its secrets from Vault on its ports.", {
        podSelector: selectorOf(tool.podLabels),
        policyTypes: ["Ingress"],
        ingress: [{ from: [anyAreaNamespace()], ports: tool.ports.map(tcp) }],
      });
      add("netseg-allow-ingress-monitoring", `Monitoring in ${monitoring.namespace} scrapes Vault.`, {
        podSelector: selectorOf(tool.podLabels),
        policyTypes: ["Ingress"],
        ingress: [{ from: [podsOfNamespace(monitoring.namespace, monitoring.podLabels)] }],
      });
    }
    if (tool.exposedVia.length > 0) {
      add(
        "netseg-allow-ingress-controllers",
        `${toolName} is exposed outside the cluster through the ingress controller of ${list(tool.exposedVia)}.`,
        {
          podSelector: ALL_PODS,
          policyTypes: ["Ingress"],
          ingress: [{ from: tool.exposedVia.map(controllerPods), ports: tool.ports.map(tcp) }],
        },
      );
    }
    specs.push(...allows, {
      resourceName: policyResourceName(tool.namespace, "netseg-default-deny-ingress"),
      namespace: tool.namespace,
      name: "netseg-default-deny-ingress",
      labels: DEFAULT_LABELS,
      description: `Isolates the ${toolName} pods for ingress: only what the other netseg policies allow gets in.`,
      spec: { podSelector: ALL_PODS, policyTypes: ["Ingress"] },
      after: allows.map((allow) => allow.resourceName).sort(),
    });
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
