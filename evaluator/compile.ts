/**
 * A validated estate compiled for evaluation: namespaces and pods numbered, selectors, ipBlocks and
 * `networks` turned into matchers with canonical keys, every pod's isolating NetworkPolicies indexed per
 * direction, and every pod's cluster-tier rules per tier and direction in the order they run. Both the
 * pair-by-pair `probe` and the matrix read this one structure, so they cannot disagree about what a policy
 * says, only about how they combine it.
 */
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from "../core/k8s";
import { type AddressRange, addressToNumber, cidrToRange, inRange } from "./addresses";
import type { Bitset } from "./bitset";
import type { InputIssue } from "./errors";
import { compileSelector, EVERYTHING, LabelIndex, type Labels, matches, type Selector } from "./selectors";
import type {
  ClusterPeer,
  ClusterPolicy,
  ClusterPolicyKind,
  ClusterPort,
  ClusterSelection,
  Direction,
  Estate,
  PodInfo,
  PortSpec,
  Protocol,
  Tier,
  TierAction,
} from "./types";

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
  /** The address on the evaluator's number line (see addresses.ts). */
  ip: bigint;
  info: PodInfo;
  namedPorts: ReadonlyMap<string, { containerPort: number; protocol: Protocol }>;
  /** Policies of the pod's namespace that select it and affect ingress (egress), sorted by key. */
  ingressPolicies: CompiledPolicy[];
  egressPolicies: CompiledPolicy[];
  /** Cluster-tier rules whose policy selects the pod, per tier and direction, in the order they run. */
  tierRules: Record<Tier, Record<Direction, TierRule[]>>;
}

/** A port entry of a rule; neither a range nor a name means every port of the protocol. */
export interface PortMatcher {
  protocol: Protocol;
  range?: { start: number; end: number };
  name?: string;
  /**
   * A cluster-tier named port: matches the destination's container port of that name whatever its
   * protocol (those APIs give named ports no protocol of their own).
   */
  anyProtocol?: boolean;
}

export type PeerMatcher =
  | {
      kind: "pods";
      /** Undefined: only the policy's own namespace (a podSelector without namespaceSelector). */
      namespaces?: Selector;
      pods: Selector;
      /** The NetworkPolicy's namespace; cluster-tier peers always carry `namespaces`. */
      own?: NamespaceRecord;
      key: string;
    }
  /** An ipBlock, or a `networks` peer (several ranges, no exceptions); no ranges matches nothing. */
  | { kind: "ipBlock"; ranges: readonly AddressRange[]; except: readonly AddressRange[]; key: string };

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

/** A rule of a cluster-tier policy, compiled; `peers` is never empty (the APIs require a peer). */
export interface TierRule {
  /** Unique over the estate's tier rules; identifies the rule in the matrix's caches. */
  id: number;
  policy: CompiledClusterPolicy;
  direction: Direction;
  index: number;
  name?: string;
  action: TierAction;
  peers: readonly PeerMatcher[];
  ports?: readonly PortMatcher[];
  peersKey: string;
  portsKey: string;
}

export interface CompiledClusterPolicy {
  name: string;
  kind: ClusterPolicyKind;
  tier: Tier;
  priority?: number;
  subject: { namespaces: Selector; pods: Selector };
  ingress: TierRule[];
  egress: TierRule[];
  source: ClusterPolicy;
}

export interface CompiledEstate {
  namespaces: NamespaceRecord[];
  namespacesByName: ReadonlyMap<string, NamespaceRecord>;
  namespaceIndex: LabelIndex<NamespaceRecord>;
  pods: PodRecord[];
  podsByKey: ReadonlyMap<string, PodRecord>;
  podsByIp: ReadonlyMap<bigint, PodRecord>;
  policies: CompiledPolicy[];
  rules: CompiledRule[];
  /** In the order they run: Admin before Baseline, by priority, then by kind and name. */
  clusterPolicies: CompiledClusterPolicy[];
  /** Equal priorities whose subjects overlap: the APIs leave their order to the implementation. */
  warnings: InputIssue[];
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
    return { kind: "ipBlock", ranges: [cidrToRange(peer.ipBlock.cidr)], except, key };
  }
  const pods = peer.podSelector ? compileSelector(peer.podSelector) : EVERYTHING;
  if (!peer.namespaceSelector) return { kind: "pods", pods, own, key: `ns=${own.name} pods{${pods.key}}` };
  const namespaces = compileSelector(peer.namespaceSelector);
  return { kind: "pods", namespaces, pods, own, key: `ns{${namespaces.key}} pods{${pods.key}}` };
}

function compileSelection(selection: ClusterSelection): { namespaces: Selector; pods: Selector } {
  if ("namespaces" in selection)
    return { namespaces: compileSelector(selection.namespaces), pods: EVERYTHING };
  return {
    namespaces: compileSelector(selection.pods.namespaceSelector),
    pods: compileSelector(selection.pods.podSelector),
  };
}

function compileClusterPeer(peer: ClusterPeer): PeerMatcher {
  if ("networks" in peer) {
    const key = `networks ${[...peer.networks].sort().join(",")}`;
    return { kind: "ipBlock", ranges: peer.networks.map(cidrToRange), except: [], key };
  }
  // Not evaluated (input validation warns): a peer that matches nothing.
  if ("domainNames" in peer) return { kind: "ipBlock", ranges: [], except: [], key: "networks " };
  const { namespaces, pods } = compileSelection(peer);
  return { kind: "pods", namespaces, pods, key: `ns{${namespaces.key}} pods{${pods.key}}` };
}

function compileClusterPort(port: ClusterPort): PortMatcher {
  if ("namedPort" in port) return { protocol: "TCP", name: port.namedPort, anyProtocol: true };
  if ("port" in port) return { protocol: port.protocol, range: { start: port.port, end: port.port } };
  return { protocol: port.protocol, range: { start: port.start, end: port.end } };
}

/** Order within the tiers: Admin first; by priority (a BANP, which has none, last); then kind and name. */
function runOrder(a: CompiledClusterPolicy, b: CompiledClusterPolicy): number {
  if (a.tier !== b.tier) return a.tier === "Admin" ? -1 : 1;
  const pa = a.priority ?? Number.POSITIVE_INFINITY;
  const pb = b.priority ?? Number.POSITIVE_INFINITY;
  if (pa !== pb) return pa - pb;
  const ka = `${a.kind} ${a.name}`;
  const kb = `${b.kind} ${b.name}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
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
    (p) =>
      `${p.anyProtocol ? "any" : p.protocol}/${p.name ?? (p.range ? `${p.range.start}-${p.range.end}` : "*")}`,
  );
  return [...new Set(parts)].sort().join(",");
}

/**
 * Compiles an estate that has passed `validateEstate`, with its cluster-tier policies normalised by
 * `checkEstate` (each with the input path warnings should name).
 */
export function compileEstate(
  estate: Estate,
  clusterPolicies: readonly { policy: ClusterPolicy; path: string }[] = [],
): CompiledEstate {
  const { namespaces, namespacesByName, pods } = compilePods(estate);
  const { policies, rules } = compilePolicies(estate.policies, namespacesByName);
  for (const policy of policies) {
    for (const pod of policy.namespace.pods) {
      if (!matches(policy.podSelector, pod.labels)) continue;
      if (policy.ingress) pod.ingressPolicies.push(policy);
      if (policy.egress) pod.egressPolicies.push(policy);
    }
  }
  const namespaceIndex = new LabelIndex(namespaces, (ns) => ns.labels);
  const { compiled, paths } = compileClusterPolicies(clusterPolicies);
  const subjects = bindClusterPolicies(compiled, namespaceIndex);
  return {
    namespaces,
    namespacesByName,
    namespaceIndex,
    pods,
    podsByKey: new Map(pods.map((pod) => [pod.key, pod])),
    podsByIp: new Map(pods.map((pod) => [pod.ip, pod])),
    policies,
    rules,
    clusterPolicies: compiled,
    warnings: overlapWarnings(compiled, subjects, paths),
    peerPodSets: new Map(),
  };
}

/** The namespaces and their pods, each pod with its named ports and empty lists of the policies it is under. */
function compilePods(estate: Estate): {
  namespaces: NamespaceRecord[];
  namespacesByName: Map<string, NamespaceRecord>;
  pods: PodRecord[];
} {
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
      tierRules: { Admin: { ingress: [], egress: [] }, Baseline: { ingress: [], egress: [] } },
    };
    namespace.pods.push(pod);
    return pod;
  });
  return { namespaces, namespacesByName, pods };
}

/** The NetworkPolicies sorted by key, and every rule of theirs numbered in the order they were written. */
function compilePolicies(
  estatePolicies: Estate["policies"],
  namespacesByName: ReadonlyMap<string, NamespaceRecord>,
): { policies: CompiledPolicy[]; rules: CompiledRule[] } {
  const rules: CompiledRule[] = [];
  const policies = estatePolicies
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
  return { policies, rules };
}

/** The cluster-tier policies in the order they run, with the input path of each for its warnings. */
function compileClusterPolicies(clusterPolicies: readonly { policy: ClusterPolicy; path: string }[]): {
  compiled: CompiledClusterPolicy[];
  paths: Map<CompiledClusterPolicy, string>;
} {
  const paths = new Map<CompiledClusterPolicy, string>();
  let tierRuleCount = 0;
  const compiled = clusterPolicies
    .map(({ policy, path }) => {
      const compiled: CompiledClusterPolicy = {
        name: policy.name,
        kind: policy.kind,
        tier: policy.tier,
        ...(policy.priority === undefined ? {} : { priority: policy.priority }),
        subject: compileSelection(policy.subject),
        ingress: [],
        egress: [],
        source: policy,
      };
      for (const direction of ["ingress", "egress"] as const) {
        compiled[direction] = policy[direction].map((rule, index): TierRule => {
          const peers = rule.peers.map(compileClusterPeer);
          const ports = rule.ports?.map(compileClusterPort);
          return {
            id: tierRuleCount++,
            policy: compiled,
            direction,
            index,
            ...(rule.name === undefined ? {} : { name: rule.name }),
            action: rule.action,
            peers,
            ...(ports ? { ports } : {}),
            peersKey: [...new Set(peers.map((p) => p.key))].sort().join(" | "),
            portsKey: portsKeyOf(ports),
          };
        });
      }
      paths.set(compiled, path);
      return compiled;
    })
    .sort(runOrder);
  return { compiled, paths };
}

/**
 * Gives each pod the rules of the cluster-tier policies whose subject selects it, in run order, and
 * returns each policy's subject pods.
 */
function bindClusterPolicies(
  policies: readonly CompiledClusterPolicy[],
  namespaceIndex: LabelIndex<NamespaceRecord>,
): Map<CompiledClusterPolicy, PodRecord[]> {
  const subjects = new Map<CompiledClusterPolicy, PodRecord[]>();
  for (const policy of policies) {
    const selected: PodRecord[] = [];
    for (const namespace of namespaceIndex.select(policy.subject.namespaces)) {
      for (const pod of namespace.pods) {
        if (!matches(policy.subject.pods, pod.labels)) continue;
        selected.push(pod);
        pod.tierRules[policy.tier].ingress.push(...policy.ingress);
        pod.tierRules[policy.tier].egress.push(...policy.egress);
      }
    }
    subjects.set(policy, selected);
  }
  return subjects;
}

/**
 * Policies of one tier with one priority that select a common pod. The network-policy-api leaves their
 * order to the implementation ("there is no way for the user to reliably determine which one it will
 * choose"); netseg runs them by name, and says so.
 */
function overlapWarnings(
  policies: readonly CompiledClusterPolicy[],
  subjects: ReadonlyMap<CompiledClusterPolicy, readonly PodRecord[]>,
  paths: ReadonlyMap<CompiledClusterPolicy, string>,
): InputIssue[] {
  const warnings: InputIssue[] = [];
  policies.forEach((a, i) => {
    for (const b of policies.slice(i + 1)) {
      if (a.tier !== b.tier || a.priority === undefined || a.priority !== b.priority) continue;
      const inA = new Set(subjects.get(a));
      const shared = subjects.get(b)!.find((pod) => inA.has(pod));
      if (!shared) continue;
      warnings.push({
        path: `${paths.get(b)}.spec.priority`,
        value: b.priority,
        problem:
          `is also the priority of ${a.kind} ${a.name} in the ${a.tier} tier, and both select pod ${shared.key}; ` +
          `the cluster may apply either first (netseg runs ${a.name} first, by name). Give them distinct priorities`,
      });
    }
  });
  return warnings;
}

/** True when the address lies in one of the block's ranges and outside all its exceptions. */
export function inIpBlock(peer: Extract<PeerMatcher, { kind: "ipBlock" }>, address: bigint): boolean {
  // Plain loops: this runs for every pod against every distinct block when a matrix is built.
  let inside = false;
  for (const range of peer.ranges) if (inRange(address, range)) inside = true;
  if (!inside) return false;
  for (const range of peer.except) if (inRange(address, range)) return false;
  return true;
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
  if (port.protocol !== connection.protocol && !port.anyProtocol) return false;
  if (port.range) return connection.port >= port.range.start && connection.port <= port.range.end;
  if (port.name === undefined) return true;
  const named = destination?.namedPorts.get(port.name);
  return (
    named !== undefined &&
    named.protocol === connection.protocol &&
    (port.anyProtocol || named.protocol === port.protocol) &&
    named.containerPort === connection.port
  );
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
