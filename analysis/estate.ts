/**
 * A probe estate: the stack's namespaces and policies as rendered, populated with stand-in pods that play
 * every role the design's tables name (an exposed and an unexposed pod per area namespace, each area's
 * controller, monitoring, vault, cluster DNS, a pod of a namespace without an area). The evaluator decides
 * connections between them exactly as it would between real workloads with the same labels.
 */

import { addressAt, size } from "../core/cidr";
import type { Namespace, NetworkPolicy } from "../core/k8s";
import { AREA_LABEL, ENDPOINT_LABEL, ENDPOINT_VALUE, ROLE_LABEL } from "../core/labels";
import type { LinkerdObject } from "../core/linkerd";
import type { ClusterTierManifest, ContainerPort, Estate, NamespaceInfo, PodInfo } from "../evaluator";
import { type Area, isArea } from "../model/areas";
import type { SegmentationConfig } from "../model/config";
import { CONTROLLERS, type ControllerIdentity } from "../model/controllers";

/** The port every stand-in workload serves on. */
export const SERVICE_PORT = 8080;

/** A namespace the design names as having no area; created by every cluster. */
export const UNLABELLED_NAMESPACE = "default";

export type ProbeRole =
  | { kind: "area-pod"; area: Area; endpoint: boolean }
  | { kind: "controller"; area: Area }
  | { kind: "monitoring" }
  | { kind: "vault" }
  | { kind: "dns" }
  | { kind: "unlabelled" };

export interface ProbePod extends PodInfo {
  role: ProbeRole;
}

export interface ProbeEstate {
  estate: Estate;
  pods: ProbePod[];
}

/** The objects of a plan the estate is built from. */
export interface PlannedObjects {
  namespaces: Namespace[];
  policies: NetworkPolicy[];
  /** The Linkerd authorization objects, when the plan meshes some namespace (analysis/mesh.ts). */
  linkerd?: LinkerdObject[];
  /** The plan's cluster-tier policies (the Admin and Baseline tiers), in any flavour the evaluator reads. */
  clusterPolicies?: ClusterTierManifest[];
}

/**
 * The probe estate of a plan. `extraPods` (a contract's own pods and clients, say) join the stand-ins with
 * addresses after theirs; a namespace they name that the plan lacks is added without labels.
 */
export function probeEstate(
  config: SegmentationConfig,
  objects: PlannedObjects,
  extraPods: readonly Omit<PodInfo, "ip">[] = [],
): ProbeEstate {
  const namespaces: NamespaceInfo[] = objects.namespaces.map((ns) => ({
    name: ns.metadata?.name ?? "",
    labels: { ...(ns.metadata?.labels ?? {}) },
  }));
  const extraNamespaces = extraPods.map((pod) => pod.namespace);
  for (const name of [config.egress.dns.namespace, UNLABELLED_NAMESPACE, ...extraNamespaces]) {
    if (!namespaces.some((ns) => ns.name === name)) namespaces.push({ name, labels: {} });
  }

  const http: ContainerPort[] = [{ name: "http", containerPort: SERVICE_PORT, protocol: "TCP" }];
  const pods = [...areaStandIns(namespaces, http), ...platformStandIns(config, http)];
  const addresses = podAddresses(config.cluster.cidrs, pods.length + extraPods.length);
  const placed = pods.map((pod, index): ProbePod => ({ ...pod, ip: addresses[index]! }));
  const extras = extraPods.map((pod, index): PodInfo => ({ ...pod, ip: addresses[pods.length + index]! }));
  // The evaluator takes pods as Kubernetes knows them; the role stays with the probe estate.
  const estatePods = [...placed.map(({ role: _role, ...pod }) => pod), ...extras];
  const estate: Estate = {
    namespaces,
    pods: estatePods,
    policies: objects.policies,
    clusterPolicies: objects.clusterPolicies ?? [],
  };
  return { estate, pods: placed };
}

/** Two stand-ins in each area namespace: an endpoint pod and a worker, both serving HTTP. */
function areaStandIns(namespaces: readonly NamespaceInfo[], http: ContainerPort[]): Omit<ProbePod, "ip">[] {
  return namespaces.flatMap((ns): Omit<ProbePod, "ip">[] => {
    const area = ns.labels?.[AREA_LABEL];
    if (ns.labels?.[ROLE_LABEL] !== "area" || !isArea(area)) return [];
    return [true, false].map((endpoint) => ({
      namespace: ns.name,
      name: endpoint ? "endpoint" : "worker",
      labels: { app: "netseg-probe", ...(endpoint ? { [ENDPOINT_LABEL]: ENDPOINT_VALUE } : {}) },
      ports: http,
      role: { kind: "area-pod", area, endpoint },
    }));
  });
}

/** A stand-in for each controller, for the tools, for cluster DNS, and one in a namespace without an area. */
function platformStandIns(config: SegmentationConfig, http: ContainerPort[]): Omit<ProbePod, "ip">[] {
  const { monitoring, vault } = config.tools;
  return [
    ...CONTROLLERS.map(
      (controller): Omit<ProbePod, "ip"> => ({
        namespace: controller.namespace,
        name: "controller",
        labels: { ...controller.podLabels },
        ports: controllerPorts(controller),
        role: { kind: "controller", area: controller.area },
      }),
    ),
    {
      namespace: monitoring.namespace,
      name: "prometheus",
      labels: { app: "netseg-probe", ...monitoring.podLabels },
      ports: monitoring.ports.map((port) => ({ containerPort: port, protocol: "TCP" })),
      role: { kind: "monitoring" },
    },
    {
      namespace: vault.namespace,
      name: "vault",
      labels: { app: "netseg-probe", ...vault.podLabels },
      ports: vault.ports.map((port) => ({ containerPort: port, protocol: "TCP" })),
      role: { kind: "vault" },
    },
    {
      namespace: config.egress.dns.namespace,
      name: "coredns",
      labels: { ...config.egress.dns.podLabels },
      ports: [
        { name: "dns", containerPort: 53, protocol: "UDP" },
        { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
      ],
      role: { kind: "dns" },
    },
    {
      namespace: UNLABELLED_NAMESPACE,
      name: "stranger",
      labels: { app: "netseg-probe" },
      ports: http,
      role: { kind: "unlabelled" },
    },
  ];
}

function controllerPorts(controller: ControllerIdentity): ContainerPort[] {
  const { http, https, health, metrics } = controller.ports;
  return [
    { name: "web", containerPort: http, protocol: "TCP" },
    { name: "websecure", containerPort: https, protocol: "TCP" },
    { name: "traefik", containerPort: health, protocol: "TCP" },
    { name: "metrics", containerPort: metrics, protocol: "TCP" },
  ];
}

/** Pod addresses from the cluster's pod ranges, as the VPC CNI hands them out. */
function podAddresses(cidrs: readonly string[], count: number): string[] {
  const addresses: string[] = [];
  for (const cidr of cidrs) {
    // Skip the network address and the first few, which AWS reserves in every subnet.
    for (let offset = 10; offset < size(cidr) - 1 && addresses.length < count; offset++) {
      addresses.push(addressAt(cidr, offset));
    }
  }
  if (addresses.length < count)
    throw new RangeError(`the cluster's pod ranges hold fewer than ${count} addresses`);
  return addresses;
}
