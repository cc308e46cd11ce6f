/**
 * Egress of the shared tools' namespaces, each fitted to its job. Without it Prometheus reached instance
 * metadata and every peered VPC, and Vault the backoffice databases: a compromised tool was a way out of
 * every area at once.
 *
 *   monitoring  scrapes pods (any port, the cluster's pod ranges) and nodes (node exporter and the
 *               kubelet, on the cluster VPC), discovers targets through the API server, and sends alerts
 *               to the internet on 443
 *   vault       talks to its own peers, reviews service-account tokens through the API server, and
 *               reaches the internet on 443 (cloud KMS for auto-unseal, identity providers)
 *
 * Both resolve names through cluster DNS. One policy per namespace: it both isolates egress and allows, so
 * no moment of a rollout has the isolation without the allows.
 */
import type { NetworkPolicyEgressRule } from "../core/k8s";
import { DEFAULT_POLICY_LABEL } from "../core/labels";
import type { SegmentationConfig, ToolConfig } from "./config";
import { clusterVpcCidrs } from "./ingressPolicies";
import { ALL_PODS, dnsRule, ipBlocks, podsOfNamespace, publicInternetPeers, tcp } from "./peers";
import { type PolicySpec, policyResourceName } from "./policy";

export const TOOL_EGRESS_POLICY = "netseg-allow-egress";

/** Node exporter and the kubelet's metrics, on the nodes' addresses in the cluster VPC. */
export const NODE_METRICS_PORTS: readonly number[] = [9100, 10250];

export function planToolEgressPolicies(config: SegmentationConfig): PolicySpec[] {
  const { monitoring, vault } = config.tools;
  const api = { to: ipBlocks(config.cluster.controlPlaneCidrs), ports: [tcp(443)] };
  const internet = { to: publicInternetPeers(config), ports: [tcp(443)] };
  return [
    egressPolicy(
      monitoring,
      `Monitoring scrapes the cluster's pods and the nodes' metrics (${NODE_METRICS_PORTS.join(", ")}), discovers targets through the API server and sends alerts to the internet on 443; nothing else, not instance metadata nor other VPCs.`,
      [
        { to: ipBlocks(config.cluster.cidrs) },
        { to: ipBlocks(clusterVpcCidrs(config)), ports: NODE_METRICS_PORTS.map(tcp) },
        dnsRule(config),
        api,
        internet,
      ],
    ),
    egressPolicy(
      vault,
      "Vault talks to its own peers, reviews service-account tokens through the API server and reaches the internet on 443 (KMS, identity providers); it reaches no data store, other VPC or instance metadata.",
      [{ to: [podsOfNamespace(vault.namespace)] }, dnsRule(config), api, internet],
    ),
  ];
}

function egressPolicy(tool: ToolConfig, description: string, egress: NetworkPolicyEgressRule[]): PolicySpec {
  return {
    resourceName: policyResourceName(tool.namespace, TOOL_EGRESS_POLICY),
    namespace: tool.namespace,
    name: TOOL_EGRESS_POLICY,
    labels: { [DEFAULT_POLICY_LABEL]: "true" },
    description,
    spec: { podSelector: ALL_PODS, policyTypes: ["Egress"], egress },
    after: [],
  };
}
