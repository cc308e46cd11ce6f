/**
 * The NetworkPolicies of an ingress controller's own namespace. The namespace is denied everything; the
 * controller pods are then let in from where their load balancer delivers traffic and let out to exactly
 * the pods they route to, cluster DNS and the Kubernetes API:
 *
 *   netseg-allow-ingress   controller pods: entry points from the load balancer side, the metrics port
 *                          from monitoring, the admission webhook from the control plane (only if served)
 *   netseg-allow-egress    controller pods: pods of the area's namespaces, of namespaces that admit this
 *                          controller as an extra one, and of tools exposed through it; cluster DNS with an
 *                          explicit peer; the API server, to watch Ingresses, Services and endpoints
 *   netseg-default-deny    every pod of the namespace, ingress and egress, after both allows
 *
 * A policy isolates the pods it selects, in its direction, the moment it exists. So each direction's rules
 * live in the one policy that isolates the controller pods there: whatever order the engine creates them
 * in, the controller never holds some of its allows without the others.
 *
 * Peers select namespaces by label (`networkArea`, the extra-controller label, the API server's name
 * label), never by listing them, so the policies stay the same size as the estate grows.
 */
import assert from "node:assert/strict";
import type { NetworkPolicyEgressRule, NetworkPolicyIngressRule } from "../core/k8s";
import { AREA_LABEL, DEFAULT_POLICY_LABEL, extraIngressLabel } from "../core/labels";
import { type Area, controllerCallers } from "./areas";
import type { IngressControllerConfig, SegmentationConfig } from "./config";
import { type ControllerIdentity, controllerIdentity } from "./controllers";
import { dnsRule, ipBlocks, namespacesInAreas, podsOfNamespace, tcp } from "./peers";
import { type PolicySpec, policyResourceName } from "./policy";

export const CONTROLLER_POLICY = {
  defaultDeny: "netseg-default-deny",
  ingress: "netseg-allow-ingress",
  egress: "netseg-allow-egress",
} as const;

const LABELS = { [DEFAULT_POLICY_LABEL]: "true" };

/** A controller's rules by purpose, before they are merged into one policy per direction. */
export interface ControllerRules {
  loadBalancer: NetworkPolicyIngressRule[];
  monitoring: NetworkPolicyIngressRule[];
  /** Empty unless the controller serves an admission webhook. */
  webhook: NetworkPolicyIngressRule[];
  backends: NetworkPolicyEgressRule[];
  dns: NetworkPolicyEgressRule[];
  kubeApi: NetworkPolicyEgressRule[];
}

/** The rules of the controller pods, by purpose; `planControllerPolicies` renders them in this order. */
export function planControllerRules(
  config: SegmentationConfig,
  area: Area,
  identity: ControllerIdentity = controllerIdentity(area),
): ControllerRules {
  const controller = controllerConfig(config, area);
  const monitoring = config.tools.monitoring;
  return {
    loadBalancer: loadBalancerRules(controller, identity),
    monitoring: [
      {
        from: [podsOfNamespace(monitoring.namespace, monitoring.podLabels)],
        ports: [tcp(identity.ports.metrics)],
      },
    ],
    webhook:
      identity.webhookPort === undefined
        ? []
        : [{ from: ipBlocks(config.cluster.controlPlaneCidrs), ports: [tcp(identity.webhookPort)] }],
    backends: backendRules(config, area),
    dns: [dnsRule(config)],
    kubeApi: [{ to: ipBlocks(config.cluster.controlPlaneCidrs), ports: [tcp(443)] }],
  };
}

/**
 * The controller namespace's policies, sorted by resource name; the default-deny follows both allows.
 * `identity` defaults to the area's; tests pass another to see the rules a different controller would get.
 */
export function planControllerPolicies(
  config: SegmentationConfig,
  area: Area,
  identity: ControllerIdentity = controllerIdentity(area),
): PolicySpec[] {
  const controller = controllerConfig(config, area);
  const rules = planControllerRules(config, area, identity);
  const pods = { matchLabels: { ...identity.podLabels } };
  const policy = (name: string, description: string, spec: PolicySpec["spec"]): PolicySpec => ({
    resourceName: policyResourceName(identity.namespace, name),
    namespace: identity.namespace,
    name,
    labels: LABELS,
    description,
    spec,
    after: [],
  });
  const monitoring = config.tools.monitoring;

  const allows: PolicySpec[] = [
    policy(
      CONTROLLER_POLICY.ingress,
      [
        loadBalancerDescription(controller, identity),
        `Monitoring in ${monitoring.namespace} scrapes the controller's metrics on ${identity.ports.metrics}.`,
        ...(identity.webhookPort === undefined
          ? []
          : [
              "The API server calls the controller's admission webhook from the control-plane CIDRs; without this every Ingress write times out.",
            ]),
      ].join(" "),
      {
        podSelector: pods,
        policyTypes: ["Ingress"],
        ingress: [...rules.loadBalancer, ...rules.monitoring, ...rules.webhook],
      },
    ),
    policy(
      CONTROLLER_POLICY.egress,
      `The ${area} controller routes to pods of ${area} namespaces, of namespaces that also admit it, and of tools exposed through it (their own policies still decide); it resolves names through cluster DNS on UDP and TCP 53, named as a peer because a ports-only rule is mis-enforced by the VPC CNI; it watches Ingresses, Services and endpoints through the API server, whose ENIs live in the control-plane CIDRs.`,
      {
        podSelector: pods,
        policyTypes: ["Egress"],
        egress: [...rules.backends, ...rules.dns, ...rules.kubeApi],
      },
    ),
  ];
  const deny: PolicySpec = {
    ...policy(
      CONTROLLER_POLICY.defaultDeny,
      `Nothing reaches or leaves ${identity.namespace} except what its other policies allow.`,
      { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    ),
    after: allows.map((allow) => allow.resourceName).sort(),
  };
  return [...allows, deny].sort((a, b) => (a.resourceName < b.resourceName ? -1 : 1));
}

/**
 * Behind the ALB every request comes from the ALB's nodes in its own subnets, on the TLS entry point and the
 * health port it probes. Behind an NLB with client IP preservation, packets keep the client's address: the
 * allowlist is let in, the NLB's subnets (its health checks), and the pods of the areas that may call the
 * controller. Nothing else of the cluster's VPC: its pod ranges would reach the controller directly, past
 * the WAF and the area rules.
 */
function loadBalancerRules(
  controller: IngressControllerConfig,
  identity: ControllerIdentity,
): NetworkPolicyIngressRule[] {
  const subnets = ipBlocks(controller.loadBalancerSubnets);
  const { ports } = identity;
  if (controller.public) {
    return [{ from: subnets, ports: [tcp(ports.https), tcp(ports.health)] }];
  }
  const entryPorts = [tcp(ports.http), tcp(ports.https)];
  const callers = controllerCallers(controller.area);
  return [
    { from: ipBlocks(controller.allowedCidrs), ports: entryPorts },
    { from: subnets, ports: entryPorts },
    ...(callers.length > 0 ? [{ from: [namespacesInAreas(callers)], ports: entryPorts }] : []),
  ];
}

function loadBalancerDescription(controller: IngressControllerConfig, identity: ControllerIdentity): string {
  const callers = controllerCallers(controller.area);
  return controller.public
    ? `The ALB in front of the ${identity.area} controller reaches its TLS entry point and health port from its subnets; clients and pods never connect directly.`
    : `Clients of the ${identity.area} allowlist (${controller.sources.join(", ") || "no named sources"}${
        controller.natGatewaysOf.length > 0 ? `, NAT gateways of ${controller.natGatewaysOf.join(", ")}` : ""
      }) reach the entry points with their own addresses through the NLB, whose health checks come from its subnets${
        callers.length > 0 ? `; pods of ${callers.join(", ")} call it through the NLB too` : ""
      }.`;
}

function backendRules(config: SegmentationConfig, area: Area): NetworkPolicyEgressRule[] {
  const rules: NetworkPolicyEgressRule[] = [
    { to: [{ namespaceSelector: { matchLabels: { [AREA_LABEL]: area } } }] },
    { to: [{ namespaceSelector: { matchLabels: { [extraIngressLabel(area)]: "true" } } }] },
  ];
  for (const tool of [config.tools.monitoring, config.tools.vault]) {
    if (!tool.exposedVia.includes(area)) continue;
    rules.push({ to: [podsOfNamespace(tool.namespace)], ports: tool.ports.map(tcp) });
  }
  return rules;
}

export function clusterVpcCidrs(config: SegmentationConfig): readonly string[] {
  const vpc = config.vpcs.find((candidate) => candidate.isClusterVpc);
  assert.ok(vpc, "validated config always has the cluster's VPC");
  return vpc.cidrs;
}

export function controllerConfig(config: SegmentationConfig, area: Area): IngressControllerConfig {
  const controller = config.ingress.find((candidate) => candidate.area === area);
  assert.ok(controller, `normalised config has a controller entry for every area, not for ${area}`);
  return controller;
}
