/**
 * What a contract changes, found with the evaluator rather than argued from the rules: a probe estate built
 * from the stack's config (every area namespace with an endpoint pod and a plain one, the ingress
 * controllers, monitoring, vault, cluster DNS, a namespace without an area, addresses outside the cluster),
 * the contract's own pods, and pods carrying the labels its peers ask for, both where the contract admits
 * them and in every other area, where it must not. Reachability over all of it is computed with the
 * platform's default policies alone and with the contract's policies added; the difference is what the
 * contract opens.
 *
 * Both sides of a connection count, as Kubernetes enforces them: an ingress rule opens nothing for a
 * client whose egress is denied, and an egress rule nothing where the destination's ingress is.
 */

import { addressAt, size } from "../core/cidr";
import type { Namespace, NetworkPolicy } from "../core/k8s";
import { ENDPOINT_LABEL, ENDPOINT_VALUE } from "../core/labels";
import {
  type ClusterTierManifest,
  type Endpoint,
  type NamespaceInfo,
  NetworkPolicyEvaluator,
  type PodInfo,
  type PortSpec,
} from "../evaluator";
import { AREAS, type Area, type Phase } from "../model/areas";
import { planClusterPolicies } from "../model/clusterPolicies";
import type { SegmentationConfig } from "../model/config";
import {
  type Contract,
  type Labels,
  labelsText,
  type Protocol,
  rulesOf,
  selects,
} from "../model/contracts/contract";
import { planIngressControllers } from "../model/ingress";
import { planKubernetes } from "../model/kubernetes";
import { planNamespaces } from "../model/namespaces";
import { toNetworkPolicy } from "../model/policy";
import { probeEstate as platformEstate, UNLABELLED_NAMESPACE } from "./estate";
import { externalDestinations } from "./expectations";
import { type Flow, Reachability } from "./reachability";

/** One end of a probed connection, with what tests and messages need to know about it. */
export interface ProbeEndpoint {
  endpoint: Endpoint;
  /** `namespace/pod`, or the address. */
  key: string;
  /** Present for pods. */
  pod?: PodInfo;
  /** The area of the pod's namespace, if it has one. */
  area?: Area;
}

export interface ProbeEstate {
  namespaces: NamespaceInfo[];
  pods: PodInfo[];
  /** Pods first, then addresses outside the cluster: every one is both a source and a destination. */
  endpoints: ProbeEndpoint[];
  ports: PortSpec[];
}

/** The config with one namespace moved to `phase`, as editing its stack file would. */
export function withPhase(config: SegmentationConfig, namespace: string, phase: Phase): SegmentationConfig {
  return {
    ...config,
    namespaces: config.namespaces.map((ns) => (ns.name === namespace ? { ...ns, phase } : ns)),
  };
}

/**
 * What the platform decides around a contract: every NetworkPolicy the stack plans (area and tool
 * namespaces, the ingress controllers') and, in clusterTier mode, the cluster tier, which holds the
 * boundaries there and which no contract can undo.
 */
export interface PlatformPolicies {
  policies: NetworkPolicy[];
  clusterPolicies: ClusterTierManifest[];
}

export function platformPolicies(config: SegmentationConfig): PlatformPolicies {
  return {
    policies: [
      ...planKubernetes(config).flatMap((plan) => plan.policies),
      ...planIngressControllers(config).flatMap((plan) => plan.policies),
    ].map((policy) => toNetworkPolicy(policy)),
    clusterPolicies: planClusterPolicies(config).map((policy) => policy.object),
  };
}

/** No platform at all: what a contract's policies admit on their own. */
export const NO_PLATFORM: PlatformPolicies = { policies: [], clusterPolicies: [] };

/** Builds the probe estate of a contract over a stack's config (pods are the same in both phases). */
export function probeEstate(config: SegmentationConfig, contract: Contract): ProbeEstate {
  // The platform's side (every area namespace with an endpoint and a worker pod, the controllers, the
  // tools, DNS, a namespace without area) is the one `netseg verify` uses; the contract's pods join it.
  const planned = planNamespaces(config).map(
    (ns): Namespace => ({ metadata: { name: ns.name, labels: { ...ns.labels } } }),
  );
  const referenced = rulesOf(contract).flatMap(({ rule }) =>
    rule.peers.flatMap((peer) => (peer.kind === "namespace" ? [peer.namespace] : [])),
  );
  for (const name of referenced) {
    if (!planned.some((ns) => ns.metadata?.name === name)) planned.push({ metadata: { name, labels: {} } });
  }
  const extras = contractPods(config, contract, planned);
  const { estate } = platformEstate(config, { namespaces: planned, policies: [] }, extras);
  const pods = estate.pods;
  const areaOf = new Map<string, Area>(config.namespaces.map((ns) => [ns.name, ns.area]));

  const inPods = new Set(pods.map((pod) => pod.ip));
  const addresses = [
    ...externalDestinations(config).map((destination) => destination.ip),
    ...rulesOf(contract).flatMap(({ rule }) =>
      rule.peers.flatMap((peer) => (peer.kind === "cidr" ? [addressInside(peer.cidr)] : [])),
    ),
  ].filter((ip, i, all) => all.indexOf(ip) === i && !inPods.has(ip));

  const endpoints: ProbeEndpoint[] = [
    ...pods.map((pod) => {
      const area = areaOf.get(pod.namespace);
      return {
        endpoint: { namespace: pod.namespace, pod: pod.name },
        key: `${pod.namespace}/${pod.name}`,
        pod,
        ...(area ? { area } : {}),
      };
    }),
    ...addresses.map((ip) => ({ endpoint: { ip }, key: ip })),
  ];
  return { namespaces: estate.namespaces, pods, endpoints, ports: probePorts(contract, pods) };
}

/**
 * The pods a contract adds to the platform's stand-ins: the service's own, and pods carrying the labels
 * each peer asks for, where it admits them and everywhere it must not.
 */
function contractPods(
  config: SegmentationConfig,
  contract: Contract,
  planned: Namespace[],
): Omit<PodInfo, "ip">[] {
  const extras: Omit<PodInfo, "ip">[] = [];
  // The platform's stand-ins keep their names (a workload called "worker" joins as "worker-2"): the evaluator
  // refuses two pods of one name in a namespace.
  const podNames = new Set<string>(
    platformEstate(config, { namespaces: planned, policies: [] }).pods.map(
      (pod) => `${pod.namespace}/${pod.name}`,
    ),
  );
  const addPod = (namespace: string, base: string, labels: Labels, ports: PodInfo["ports"] = []) => {
    let name = base;
    for (let n = 2; podNames.has(`${namespace}/${name}`); n++) name = `${base}-${n}`;
    podNames.add(`${namespace}/${name}`);
    extras.push({ namespace, name, labels: { ...labels }, ports });
  };

  // The service's own pods: as declared, or one per selector its rules and exposures name.
  if (contract.workloads) {
    for (const workload of contract.workloads) {
      addPod(
        contract.namespace,
        workload.name,
        workload.labels,
        workload.ports.map((port) => ({ ...port })),
      );
    }
  } else {
    for (const pod of synthesizedPods(contract)) addPod(contract.namespace, "service", pod.labels, pod.ports);
  }

  // Pods carrying the labels a peer asks for: where it admits them, and everywhere it must not.
  const firstOfArea = (area: Area) => config.namespaces.find((ns) => ns.area === area)?.name;
  const placed = new Set<string>();
  const place = (namespace: string | undefined, labels: Labels) => {
    const key = `${namespace}|${labelsText(labels)}`;
    if (namespace === undefined || placed.has(key)) return;
    placed.add(key);
    addPod(namespace, "client", labels);
  };
  for (const { rule } of rulesOf(contract)) {
    for (const peer of rule.peers) {
      if (peer.kind === "cidr") continue;
      const labels = peer.pods ?? {};
      if (Object.keys(labels).length === 0) continue;
      if (peer.kind === "area") place(firstOfArea(peer.area), labels);
      else if (peer.kind === "namespace") place(peer.namespace, labels);
      else if (
        !extras.some((pod) => pod.namespace === contract.namespace && selects(labels, pod.labels ?? {}))
      ) {
        // Clients in the service's own namespace are usually its own workloads, already there.
        place(contract.namespace, labels);
      }
      for (const area of AREAS) place(firstOfArea(area), labels);
      place(UNLABELLED_NAMESPACE, labels);
    }
  }

  return extras;
}

/** Without declared workloads: one pod per selector the contract names, with the ports its rules name. */
function synthesizedPods(contract: Contract): { labels: Labels; ports: NonNullable<PodInfo["ports"]> }[] {
  const exposed = contract.expose.map((entry) => entry.pods);
  const selectors = [
    ...contract.ingress.map((rule) => rule.pods),
    ...contract.egress.map((rule) => rule.pods),
    ...exposed,
  ];
  const unique = selectors.filter(
    (labels, i) => selectors.findIndex((other) => labelsText(other) === labelsText(labels)) === i,
  );
  return unique.map((labels, i) => {
    const named = contract.ingress
      .filter((rule) => selects(rule.pods, labels))
      .flatMap((rule) => rule.ports.flatMap((port) => ("name" in port ? [port] : [])));
    const endpoint = exposed.some((selector) => selects(selector, labels));
    return {
      labels: endpoint ? { ...labels, [ENDPOINT_LABEL]: ENDPOINT_VALUE } : labels,
      ports: named.map((port, j) => ({
        name: port.name,
        containerPort: 20000 + i * 100 + j,
        protocol: port.protocol,
      })),
    };
  });
}

/** An address of the range that is not its network address (unless the range is one address). */
function addressInside(cidr: string): string {
  return addressAt(cidr, size(cidr) > 2 ? 1 : 0);
}

/**
 * The ports probed: every port the contract names (a range by its ends and the ports just outside it),
 * every port its pods declare, and one port nothing names, so a rule that opens more than it says shows.
 */
function probePorts(contract: Contract, pods: readonly PodInfo[]): PortSpec[] {
  const specs: PortSpec[] = [];
  const add = (port: number | string, protocol: Protocol) => {
    if (typeof port === "number" && (port < 1 || port > 65535)) return;
    if (!specs.some((spec) => spec.port === port && spec.protocol === protocol))
      specs.push({ port, protocol });
  };
  for (const { rule } of rulesOf(contract)) {
    for (const port of rule.ports) {
      if ("name" in port) add(port.name, port.protocol);
      else {
        add(port.port, port.protocol);
        if (port.endPort !== undefined) {
          add(port.port - 1, port.protocol);
          add(port.endPort, port.protocol);
          add(port.endPort + 1, port.protocol);
        }
      }
    }
  }
  for (const pod of pods.filter((pod) => pod.namespace === contract.namespace)) {
    for (const port of pod.ports ?? []) add(port.containerPort, port.protocol ?? "TCP");
  }
  for (const service of contract.services ?? []) {
    for (const port of service.ports) add(port.port, port.protocol);
  }
  const covered = (candidate: number) =>
    rulesOf(contract).some(({ rule }) =>
      rule.ports.some(
        (port) => "port" in port && candidate >= port.port && candidate <= (port.endPort ?? port.port),
      ),
    );
  const unnamed = [7, 9, 13, 37, 65001].find((candidate) => !covered(candidate));
  if (unnamed !== undefined) add(unnamed, "TCP");
  // A name no pod of the estate declares connects nothing (lint reports it on the rule), and the evaluator
  // refuses to probe it.
  const declared = new Set(pods.flatMap((pod) => (pod.ports ?? []).flatMap((port) => port.name ?? [])));
  return specs.filter((spec) => typeof spec.port === "number" || declared.has(spec.port));
}

/** A flow between two ends of a contract's probe estate. */
export type ContractFlow = Flow<ProbeEndpoint, PortSpec>;

/** Reachability over a contract's probe estate: every endpoint both a source and a destination. */
export type ContractReachability = Reachability<ProbeEndpoint, PortSpec>;

/** Reachability of every (source, destination, port) of the estate under the platform and `policies`. */
export function reachabilityUnder(
  estate: ProbeEstate,
  platform: PlatformPolicies,
  policies: readonly NetworkPolicy[] = [],
): ContractReachability {
  const evaluator = new NetworkPolicyEvaluator({
    namespaces: estate.namespaces,
    pods: estate.pods,
    policies: [...platform.policies, ...policies],
    clusterPolicies: platform.clusterPolicies,
  });
  return new Reachability(evaluator, estate.endpoints, estate.endpoints, estate.ports);
}

/** `api/client → query-services/query-api TCP/8080`, a named port shown by the number it resolves to. */
export function flowText(flow: ContractFlow): string {
  const { port, protocol } = flow.port;
  const named = typeof port === "string" ? flow.to.pod?.ports?.find((p) => p.name === port) : undefined;
  return `${flow.from.key} → ${flow.to.key} ${protocol ?? "TCP"}/${named ? named.containerPort : port}`;
}
