/**
 * The peers policies are written with. Each selects by labels the platform controls
 * (`networkArea`, `kubernetes.io/metadata.name`, the controllers' pod label), never by listing namespaces,
 * so a policy's size does not grow with the estate.
 */

import { ALL_IPV4, NON_PUBLIC_RANGES, publicInternet } from "../core/cidr";
import type {
  LabelSelector,
  NetworkPolicyEgressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
} from "../core/k8s";
import { AREA_LABEL, ENDPOINT_LABEL, ENDPOINT_VALUE, NAMESPACE_NAME_LABEL } from "../core/labels";
import type { Area } from "./areas";
import type { SegmentationConfig } from "./config";
import { controllerIdentity } from "./controllers";

/** Every pod of the policy's namespace. */
export const ALL_PODS: LabelSelector = {};

/** Pods that declare themselves reachable from other namespaces in the strict phase. */
export const ENDPOINT_PODS: LabelSelector = { matchLabels: { [ENDPOINT_LABEL]: ENDPOINT_VALUE } };

/** Pods of any namespace whose area is one of `areas`. */
export function namespacesInAreas(areas: readonly Area[]): NetworkPolicyPeer {
  return {
    namespaceSelector: {
      matchExpressions: [{ key: AREA_LABEL, operator: "In", values: [...areas].sort() }],
    },
  };
}

/** Pods of any namespace that is in some area. */
export function anyAreaNamespace(): NetworkPolicyPeer {
  return { namespaceSelector: { matchExpressions: [{ key: AREA_LABEL, operator: "Exists" }] } };
}

/** Pods of the named namespace, optionally only those carrying `podLabels`. */
export function podsOfNamespace(
  namespace: string,
  podLabels: Readonly<Record<string, string>> = {},
): NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
    podSelector: Object.keys(podLabels).length > 0 ? { matchLabels: { ...podLabels } } : {},
  };
}

/** The pods of an area's ingress controller: its namespace AND its pod label. */
export function controllerPods(area: Area): NetworkPolicyPeer {
  const identity = controllerIdentity(area);
  return podsOfNamespace(identity.namespace, identity.podLabels);
}

export function ipBlocks(cidrs: readonly string[]): NetworkPolicyPeer[] {
  return cidrs.map((cidr) => ({ ipBlock: { cidr } }));
}

export function tcp(port: number): NetworkPolicyPort {
  return { protocol: "TCP", port };
}

export function udp(port: number): NetworkPolicyPort {
  return { protocol: "UDP", port };
}

/**
 * "The public internet" as NetworkPolicy peers. `complement` lists the public ranges, 51 ipBlocks; `except`
 * writes one `0.0.0.0/0` with the non-public ranges excepted: the same addresses, so every cell comes out
 * the same either way (test/analysis/publicInternet.test.ts). The tools' egress carries it, and in
 * networkPolicy mode every namespace's egress too, where on a large estate the list is most of what the
 * stack declares (in clusterTier mode a namespace's egress is one block, see `areaPolicies.ts`).
 *
 * The default follows the policy mode (model/config.ts). In networkPolicy mode the namespace policy is the
 * only guard of the private ranges, and the VPC CNI has mis-enforced `except` (research NP-03, NP-06: agent
 * #92 let metadata through an `except`), so the list stays explicit. In clusterTier mode the Admin tier
 * denies instance metadata and every private range outside the area's VPCs itself (model/clusterPolicies.ts),
 * so no boundary rests on the `except`. There this rendering serves the tools' egress only, whose Admin
 * policy denies every non-public range; an area namespace's egress keeps back closed stores and contract
 * ranges with an `except` of its own (`insideTheClusterTier` in areaPolicies.ts), on a CNI (v1.21.1 and
 * later) whose agent carries the `except` fixes of v1.0.4.
 */
export function publicInternetPeers(config: SegmentationConfig): NetworkPolicyPeer[] {
  return config.egress.publicInternet === "complement"
    ? ipBlocks(publicInternet())
    : [{ ipBlock: { cidr: ALL_IPV4, except: [...NON_PUBLIC_RANGES] } }];
}

/**
 * Cluster DNS on UDP and TCP 53, for every egress policy that resolves names. The rule names its peers: a
 * ports-only rule next to ipBlocks is mis-enforced by the VPC CNI.
 */
export function dnsRule(config: SegmentationConfig): NetworkPolicyEgressRule {
  const { dns, nodeLocalDns } = config.egress;
  return {
    to: [
      podsOfNamespace(dns.namespace, dns.podLabels),
      // NodeLocal DNSCache runs on the host network, where no selector reaches it.
      ...ipBlocks(nodeLocalDns ? [`${nodeLocalDns}/32`] : []),
    ],
    ports: [udp(53), tcp(53)],
  };
}
