/**
 * A validated estate compiled for evaluation: namespaces and pods numbered, selectors and ipBlocks turned
 * into matchers with canonical keys, and every pod's isolating policies indexed per direction. Both the
 * pair-by-pair `probe` and the matrix read this one structure, so they cannot disagree about what a policy
 * says, only about how they combine it.
 */
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "../core/k8s";
import type { Bitset } from "./bitset";
import { type AddressRange, addressToNumber, cidrToRange, inRange } from "./ipv4";
import { compileSelector, EVERYTHING, LabelIndex, type Labels, matches, type Selector } from "./selectors";
import type { Direction, Estate, PodInfo, PortSpec, Protocol } from "./types";

export interface NamespaceRecord {
  index: number;
  name: string;
  labels: Labels;
  pods: PodRecord[];
}

export interface PodRecord {
  /** Position in `CompiledEstate.pods`, and the pod's bit in every bitset over pods. */
  index: number;
  /** `namespace/name`, how results name the pod. */
  key: string;
  name: string;
  namespace: NamespaceRecord;
  labels: Labels;
  ip: number;
  info: PodInfo;
  namedPorts: ReadonlyMap<string, { containerPort: number; protocol: Protocol }>;
  /** Policies of the pod's namespace that select it and affect ingress (egress), sorted by key. */
  ingressPolicies: CompiledPolicy[];
  egressPolicies: CompiledPolicy[];
}

/** A port entry of a rule; neither a range nor a name means every port of the protocol. */
export interface PortMatcher {
  protocol: Protocol;
  range?: { start: number; end: number };
  name?: string;
}

export type PeerMatcher =
  | {
      kind: "pods";
      /** Undefined: only the policy's own namespace (a podSelector without namespaceSelector). */
      namespaces?: Selector;
      pods: Selector;
      own: NamespaceRecord;
      key: string;
    }
  | { kind: "ipBlock"; range: AddressRange; except: readonly AddressRange[]; key: string };

export interface CompiledRule {
  /** Unique over the estate; identifies the rule in the matrix's caches. */
  id: number;
  policy: CompiledPolicy;
  direction: Direction;
  /** Index in the policy's `ingress`/`egress` list. */
  index: number;
  /** Undefined when the rule has no `from`/`to`: every peer, addresses included. */
  peers?: readonly PeerMatcher[];
  /** Undefined when the rule has no `ports`: every port and protocol. */
  ports?: readonly PortMatcher[];
  /** Equal for rules whose peer lists select the same endpoints by construction. */
  peersKey: string;
  portsKey: string;
}

export interface CompiledPolicy {
  /** `namespace/name`. */
  key: string;
  namespace: NamespaceRecord;
  podSelector: Selector;
  /** Undefined when the policy does not affect that direction (see `policyTypes`). */
  ingress?: CompiledRule[];
  egress?: CompiledRule[];
}

/** A connection as the data plane sees it: after named ports are resolved against the destination. */
export interface Connection {
  port: number;
  protocol: Protocol;
  portName?: string;
}

export interface CompiledEstate {
  namespaces: NamespaceRecord[];
  namespacesByName: ReadonlyMap<string, NamespaceRecord>;
  namespaceIndex: LabelIndex<NamespaceRecord>;
  pods: PodRecord[];
  podsByKey: ReadonlyMap<string, PodRecord>;
  podsByIp: ReadonlyMap<number, PodRecord>;
  policies: CompiledPolicy[];
  rules: CompiledRule[];
  /** Pods matched per peer key, as bitsets over `pods`: filled by matrices on demand, shared by all. */
  peerPodSets: Map<string, Bitset>;
}

/**
 * Which directions a policy affects. Without `policyTypes`, Ingress always and Egress only when the
 * `egress` list is non-empty: the API server's defaulting, so `egress: []` alone isolates nothing.
 */
export function policyTypesOf(policy: NetworkPolicy): { ingress: boolean; egress: boolean } {
  const types = policy.spec?.policyTypes ?? [];
  if (types.length === 0) return { ingress: true, egress: (policy.spec?.egress ?? []).length > 0 };
  return { ingress: types.includes("Ingress"), egress: types.includes("Egress") };
}

function compilePeer(peer: NetworkPolicyPeer, own: NamespaceRecord): PeerMatcher {
  if (peer.ipBlock) {
    const except = (peer.ipBlock.except ?? []).map(cidrToRange);
    const key = `ip ${peer.ipBlock.cidr} except ${[...(peer.ipBlock.except ?? [])].sort().join(",")}`;
    return { kind: "ipBlock", range: cidrToRange(peer.ipBlock.cidr), except, key };
  }
  const pods = peer.podSelector ? compileSelector(peer.podSelector) : EVERYTHING;
  if (!peer.namespaceSelector) return { kind: "pods", pods, own, key: `ns=${own.name} pods{${pods.key}}` };
  const namespaces = compileSelector(peer.namespaceSelector);
  return { kind: "pods", namespaces, pods, own, key: `ns{${namespaces.key}} pods{${pods.key}}` };
}

function compilePort(port: NetworkPolicyPort): PortMatcher {
  const protocol = (port.protocol ?? "TCP") as Protocol;
  if (typeof port.port === "string") return { protocol, name: port.port };
  if (port.port === undefined) return { protocol };
  return { protocol, range: { start: port.port, end: port.endPort ?? port.port } };
}

function portsKeyOf(ports: readonly PortMatcher[] | undefined): string {
  if (!ports) return "*";
  const parts = ports.map(
    (p) => `${p.protocol}/${p.name ?? (p.range ? `${p.range.start}-${p.range.end}` : "*")}`,
  );
  return [...new Set(parts)].sort().join(",");
}

/** Compiles an estate that has passed `validateEstate`. */
export function compileEstate(estate: Estate): CompiledEstate {
  const namespaces: NamespaceRecord[] = estate.namespaces.map((ns, index) => ({
    index,
    name: ns.name,
    labels: ns.labels ?? {},
    pods: [],
  }));
  const namespacesByName = new Map(namespaces.map((ns) => [ns.name, ns]));

  const pods: PodRecord[] = estate.pods.map((info, index) => {
    const namespace = namespacesByName.get(info.namespace)!;
    const namedPorts = new Map(
      (info.ports ?? []).flatMap((p) =>
        p.name ? [[p.name, { containerPort: p.containerPort, protocol: p.protocol ?? "TCP" }] as const] : [],
      ),
    );
    const pod: PodRecord = {
      index,
      key: `${info.namespace}/${info.name}`,
      name: info.name,
      namespace,
      labels: info.labels ?? {},
      ip: addressToNumber(info.ip),
      info,
      namedPorts,
      ingressPolicies: [],
      egressPolicies: [],
    };
    namespace.pods.push(pod);
    return pod;
  });

  const rules: CompiledRule[] = [];
  const policies = estate.policies
    .map((policy): CompiledPolicy => {
      const namespace = namespacesByName.get(policy.metadata!.namespace!)!;
      const compiled: CompiledPolicy = {
        key: `${namespace.name}/${policy.metadata!.name}`,
        namespace,
        podSelector: compileSelector(policy.spec!.podSelector),
      };
      const types = policyTypesOf(policy);
      const ruleOf = (
        direction: Direction,
        index: number,
        peers?: NetworkPolicyPeer[],
        ports?: NetworkPolicyPort[],
      ) => {
        // An empty `from`/`to` or `ports` list means the same as leaving it out: no restriction.
        const peerMatchers =
          peers && peers.length > 0 ? peers.map((p) => compilePeer(p, namespace)) : undefined;
        const portMatchers = ports && ports.length > 0 ? ports.map(compilePort) : undefined;
        const rule: CompiledRule = {
          id: rules.length,
          policy: compiled,
          direction,
          index,
          ...(peerMatchers ? { peers: peerMatchers } : {}),
          ...(portMatchers ? { ports: portMatchers } : {}),
          peersKey: peerMatchers ? [...new Set(peerMatchers.map((p) => p.key))].sort().join(" | ") : "*",
          portsKey: portsKeyOf(portMatchers),
        };
        rules.push(rule);
        return rule;
      };
      // Rules of a direction the policy does not affect are ignored, as the API documents.
      if (types.ingress)
        compiled.ingress = (policy.spec!.ingress ?? []).map((r, i) => ruleOf("ingress", i, r.from, r.ports));
      if (types.egress)
        compiled.egress = (policy.spec!.egress ?? []).map((r, i) => ruleOf("egress", i, r.to, r.ports));
      return compiled;
    })
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  for (const policy of policies) {
    for (const pod of policy.namespace.pods) {
      if (!matches(policy.podSelector, pod.labels)) continue;
      if (policy.ingress) pod.ingressPolicies.push(policy);
      if (policy.egress) pod.egressPolicies.push(policy);
    }
  }

  return {
    namespaces,
    namespacesByName,
    namespaceIndex: new LabelIndex(namespaces, (ns) => ns.labels),
    pods,
    podsByKey: new Map(pods.map((pod) => [pod.key, pod])),
    podsByIp: new Map(pods.map((pod) => [pod.ip, pod])),
    policies,
    rules,
    peerPodSets: new Map(),
  };
}

/** True when the address lies in the block and outside all its exceptions. */
export function inIpBlock(peer: Extract<PeerMatcher, { kind: "ipBlock" }>, address: number): boolean {
  return inRange(address, peer.range) && !peer.except.some((range) => inRange(address, range));
}

/**
 * Whether a peer matches a pod. ipBlocks match pods by address: the VPC CNI gives pods VPC addresses and
 * enforces ipBlocks on them, as the upstream e2e suite expects ("allow egress to server in CIDR block").
 */
export function peerMatchesPod(peer: PeerMatcher, pod: PodRecord): boolean {
  if (peer.kind === "ipBlock") return inIpBlock(peer, pod.ip);
  const namespaceOk = peer.namespaces
    ? matches(peer.namespaces, pod.namespace.labels)
    : pod.namespace === peer.own;
  return namespaceOk && matches(peer.pods, pod.labels);
}

/** Whether a port entry admits a connection; named ports are looked up on the destination pod. */
export function portMatches(
  port: PortMatcher,
  connection: Connection,
  destination: PodRecord | undefined,
): boolean {
  if (port.protocol !== connection.protocol) return false;
  if (port.range) return connection.port >= port.range.start && connection.port <= port.range.end;
  if (port.name === undefined) return true;
  const named = destination?.namedPorts.get(port.name);
  return named !== undefined && named.protocol === port.protocol && named.containerPort === connection.port;
}

export function portsMatch(
  ports: readonly PortMatcher[] | undefined,
  connection: Connection,
  destination: PodRecord | undefined,
): boolean {
  return ports === undefined || ports.some((port) => portMatches(port, connection, destination));
}

/**
 * The connection a port spec means at a destination: a number as given (TCP unless told), a name as the
 * destination pod's container port. Undefined when the destination has no such port.
 */
export function resolvePort(spec: PortSpec, destination: PodRecord | undefined): Connection | undefined {
  if (typeof spec.port === "number") return { port: spec.port, protocol: spec.protocol ?? "TCP" };
  const named = destination?.namedPorts.get(spec.port);
  if (!named || (spec.protocol !== undefined && spec.protocol !== named.protocol)) return undefined;
  return { port: named.containerPort, protocol: named.protocol, portName: spec.port };
}
