/**
 * Reachability for every (source, destination, port) at once. Deciding each cell with `probe` repeats the
 * same selector matching for every pair; here each piece is computed once and shared:
 *
 * 1. per peer, the endpoints it matches, as a bitset (selectors through the namespace label index,
 *    ipBlocks against pod and external addresses);
 * 2. per rule, the union of its peers;
 * 3. per (destination pod, port), the sources allowed in: the union of the NetworkPolicy ingress rules
 *    that admit that port, run through the tiers (below). Pods with the same rules share the set;
 * 4. per (source pod, port), the destinations allowed out: the same over its egress rules, each cut to the
 *    destinations where the port matches (named ports resolve per destination).
 *
 * The tiers are first-match-wins over sets: walking a pod's Admin rules in run order, each rule claims the
 * nodes it matches that no earlier rule claimed; Accept adds them to the allowed set, Deny and Accept
 * settle them, Pass leaves them open. The open nodes then get the NetworkPolicy answer when the pod is
 * isolated, else the Baseline rules claim them the same way, and what is left is allowed.
 *
 * A cell is then two bit tests. Building costs a few words per 32 endpoints for each distinct rule set,
 * so the cost per cell stays flat as the estate grows.
 */
import {
  add,
  type Bitset,
  claimInto,
  emptySet,
  fullSet,
  unionDifferenceInto,
  unionIntersectionDifferenceInto,
  unionIntersectionInto,
  unionInto,
} from "./bitset";
import {
  type CompiledEstate,
  type CompiledRule,
  type Connection,
  inIpBlock,
  type PeerMatcher,
  type PodRecord,
  portsMatch,
  resolvePort,
  type TierRule,
} from "./compile";
import type { NetworkPolicyEvaluator } from "./evaluate";
import { matches } from "./selectors";
import type { Endpoint, PortSpec, ProbeResult } from "./types";

/** The estate's pods a peer matches; kept on the estate, since it does not depend on a matrix's endpoints. */
function podSetOf(estate: CompiledEstate, peer: PeerMatcher): Bitset {
  const cache = estate.peerPodSets;
  const cached = cache.get(peer.key);
  if (cached) return cached;
  const bits = emptySet(estate.pods.length);
  if (peer.kind === "ipBlock") {
    for (const pod of estate.pods) if (inIpBlock(peer, pod.ip)) add(bits, pod.index);
  } else {
    const namespaces = peer.namespaces ? estate.namespaceIndex.select(peer.namespaces) : [peer.own!];
    for (const namespace of namespaces) {
      for (const pod of namespace.pods) if (matches(peer.pods, pod.labels)) add(bits, pod.index);
    }
  }
  cache.set(peer.key, bits);
  return bits;
}

export interface MatrixCounts {
  allowed: number;
  denied: number;
  /** Cells that are not connections: no pod at either end, or a named port the destination lacks. */
  notApplicable: number;
}

export class ReachabilityMatrix {
  private readonly estate: CompiledEstate;
  /** Node numbering: pods by their index, then each distinct outside address. */
  private readonly nodeCount: number;
  private readonly podCount: number;
  private readonly externalAddresses: bigint[] = [];
  private readonly sourceNodes: Int32Array;
  private readonly destinationNodes: Int32Array;
  /** Per (port, destination): 1 when the port means something at that destination. */
  private readonly resolvable: Uint8Array;
  /** Per (port, source): the destination nodes its egress allows. */
  private readonly egress: Bitset[];
  /** Per (port, destination): the source nodes its ingress allows. */
  private readonly ingress: Bitset[];
  private readonly all: Bitset;
  private readonly none: Bitset;
  private readonly peerSets = new Map<string, Bitset>();
  private readonly ruleSets = new Map<string, Bitset>();
  private readonly portFilters = new Map<string, Bitset>();
  private readonly unions = new Map<string, Bitset>();
  /** Per (port, source) and (port, destination): the nodes an Admin Deny settles; built on first use. */
  private adminDenials?: { egress: Bitset[]; ingress: Bitset[] };

  constructor(
    private readonly evaluator: NetworkPolicyEvaluator,
    readonly sources: readonly Endpoint[],
    readonly destinations: readonly Endpoint[],
    readonly ports: readonly PortSpec[],
  ) {
    this.estate = evaluator.compiled;
    this.podCount = this.estate.pods.length;
    const externals = new Map<bigint, number>();
    const nodeOf = (endpoint: Endpoint): number => {
      const node = evaluator.node(endpoint);
      if (node.pod) return node.pod.index;
      let index = externals.get(node.ip);
      if (index === undefined) {
        index = this.podCount + externals.size;
        externals.set(node.ip, index);
        this.externalAddresses.push(node.ip);
      }
      return index;
    };
    this.sourceNodes = Int32Array.from(sources, nodeOf);
    this.destinationNodes = Int32Array.from(destinations, nodeOf);
    this.nodeCount = this.podCount + externals.size;
    this.all = fullSet(this.nodeCount);
    this.none = emptySet(this.nodeCount);

    const D = destinations.length;
    const S = sources.length;
    this.resolvable = new Uint8Array(ports.length * D);
    this.ingress = new Array(ports.length * D);
    this.egress = new Array(ports.length * S);
    ports.forEach((port, p) => {
      for (let d = 0; d < D; d++) this.ingress[p * D + d] = this.ingressSet(p, d);
      for (let s = 0; s < S; s++)
        this.egress[p * S + s] = this.egressSet(port, p, this.podAt(this.sourceNodes[s]!));
    });
  }

  /** True when the cell is a connection the policies decide (see `MatrixCounts.notApplicable`). */
  applies(source: number, destination: number, port: number): boolean {
    if (this.resolvable[port * this.destinations.length + destination] === 0) return false;
    return this.sourceNodes[source]! < this.podCount || this.destinationNodes[destination]! < this.podCount;
  }

  /** Whether the connection is allowed; false for cells that do not apply. Indexes are into the inputs. */
  allowed(source: number, destination: number, port: number): boolean {
    const cell = port * this.destinations.length + destination;
    if (this.resolvable[cell] === 0) return false;
    const from = this.sourceNodes[source]!;
    const to = this.destinationNodes[destination]!;
    if (from >= this.podCount && to >= this.podCount) return false;
    if (from === to) return true;
    // The bit tests are written out: this runs once per cell, and an imported helper costs a getter call
    // per use under the CommonJS transform.
    const out = this.egress[port * this.sources.length + source]!;
    const into = this.ingress[cell]!;
    return ((out[to >>> 5]! >>> (to & 31)) & 1) === 1 && ((into[from >>> 5]! >>> (from & 31)) & 1) === 1;
  }

  /** The full verdict of one cell, with attribution; throws `InputError` for a cell that does not apply. */
  explain(source: number, destination: number, port: number): ProbeResult {
    const spec = this.ports[port]!;
    return this.evaluator.probe({
      from: this.sources[source]!,
      to: this.destinations[destination]!,
      port: spec.port,
      ...(spec.protocol ? { protocol: spec.protocol } : {}),
    });
  }

  /**
   * Whether an Admin rule denies the cell at the source's egress or the destination's ingress: a
   * connection no NetworkPolicy, in any namespace, can open. False for cells that do not apply.
   */
  adminDenied(source: number, destination: number, port: number): boolean {
    if (!this.applies(source, destination, port)) return false;
    const from = this.sourceNodes[source]!;
    const to = this.destinationNodes[destination]!;
    if (from === to) return false;
    this.adminDenials ??= this.buildAdminDenials();
    const out = this.adminDenials.egress[port * this.sources.length + source]!;
    const into = this.adminDenials.ingress[port * this.destinations.length + destination]!;
    return ((out[to >>> 5]! >>> (to & 31)) & 1) === 1 || ((into[from >>> 5]! >>> (from & 31)) & 1) === 1;
  }

  counts(): MatrixCounts {
    const counts: MatrixCounts = { allowed: 0, denied: 0, notApplicable: 0 };
    for (let p = 0; p < this.ports.length; p++) {
      for (let s = 0; s < this.sources.length; s++) {
        for (let d = 0; d < this.destinations.length; d++) {
          if (!this.applies(s, d, p)) counts.notApplicable++;
          else if (this.allowed(s, d, p)) counts.allowed++;
          else counts.denied++;
        }
      }
    }
    return counts;
  }

  private buildAdminDenials(): { egress: Bitset[]; ingress: Bitset[] } {
    const D = this.destinations.length;
    const S = this.sources.length;
    const ingress: Bitset[] = new Array(this.ports.length * D);
    const egress: Bitset[] = new Array(this.ports.length * S);
    this.ports.forEach((port, p) => {
      for (let d = 0; d < D; d++) {
        const pod = this.podAt(this.destinationNodes[d]!);
        const connection = resolvePort(port, pod);
        const rules = connection && pod ? pod.tierRules.Admin.ingress : [];
        const admitted = rules.filter((rule) => portsMatch(rule.ports, connection!, pod));
        ingress[p * D + d] = this.denials(`deny in ${ids(admitted)}`, admitted, (rule) => this.peersOf(rule));
      }
      for (let s = 0; s < S; s++) {
        const rules = this.podAt(this.sourceNodes[s]!)?.tierRules.Admin.egress ?? [];
        egress[p * S + s] = this.denials(`deny out ${p} ${ids(rules)}`, rules, (rule) => {
          const cut = emptySet(this.nodeCount);
          unionIntersectionInto(cut, this.peersOf(rule), this.portFilter(rule, port, p));
          return cut;
        });
      }
    });
    return { egress, ingress };
  }

  /** The nodes the first matching Admin rule denies, over `rules` in run order. */
  private denials(key: string, rules: readonly TierRule[], matching: (rule: TierRule) => Bitset): Bitset {
    if (!rules.some((rule) => rule.action === "Deny")) return this.none;
    return this.union(key, (denied) => {
      const claimed = emptySet(this.nodeCount);
      for (const rule of rules)
        claimInto(claimed, matching(rule), rule.action === "Deny" ? denied : undefined);
    });
  }

  private podAt(node: number): PodRecord | undefined {
    return node < this.podCount ? this.estate.pods[node] : undefined;
  }

  private ingressSet(p: number, d: number): Bitset {
    const pod = this.podAt(this.destinationNodes[d]!);
    const connection = resolvePort(this.ports[p]!, pod);
    if (!connection) return this.none;
    this.resolvable[p * this.destinations.length + d] = 1;
    // An outside address has no policies of its own; the source's egress decides.
    if (!pod) return this.all;
    const isolated = pod.ingressPolicies.length > 0;
    const admits = (rule: { ports?: CompiledRule["ports"] }) => portsMatch(rule.ports, connection, pod);
    const admin = pod.tierRules.Admin.ingress.filter(admits);
    const baseline = isolated ? [] : pod.tierRules.Baseline.ingress.filter(admits);
    const rules = isolated
      ? pod.ingressPolicies.flatMap((policy) => policy.ingress!.filter(admits))
      : undefined;
    if (admin.length === 0 && baseline.length === 0 && !rules) return this.all;
    const key = `in ${ids(admin)} / ${rules ? ids(rules) : "-"} / ${ids(baseline)}`;
    return this.union(key, (bits) => {
      let policies: Bitset | undefined;
      if (rules) {
        policies = emptySet(this.nodeCount);
        for (const rule of rules) unionInto(policies, this.peersOf(rule));
      }
      this.runTiers(bits, admin, policies, baseline, (rule) => this.peersOf(rule));
    });
  }

  private egressSet(port: PortSpec, p: number, pod: PodRecord | undefined): Bitset {
    if (!pod) return this.all;
    const isolated = pod.egressPolicies.length > 0;
    const admin = pod.tierRules.Admin.egress;
    const baseline = isolated ? [] : pod.tierRules.Baseline.egress;
    if (admin.length === 0 && baseline.length === 0 && !isolated) return this.all;
    const rules = pod.egressPolicies.flatMap((policy) => policy.egress!);
    const key = `out ${p} ${ids(admin)} / ${isolated ? ids(rules) : "-"} / ${ids(baseline)}`;
    return this.union(key, (bits) => {
      let policies: Bitset | undefined;
      if (isolated) {
        policies = emptySet(this.nodeCount);
        for (const rule of rules)
          unionIntersectionInto(policies, this.peersOf(rule), this.portFilter(rule, port, p));
      }
      const matching = (rule: TierRule) => {
        const filter = this.portFilter(rule, port, p);
        const peers = this.peersOf(rule);
        if (filter === this.all) return peers;
        const cut = emptySet(this.nodeCount);
        unionIntersectionInto(cut, peers, filter);
        return cut;
      };
      this.runTiers(bits, admin, policies, baseline, matching);
    });
  }

  /**
   * Fills `allowed` with the nodes one side lets through: Admin rules first match wins, then the
   * NetworkPolicy set (`policies`, undefined when the pod is not isolated) for the nodes the Admin tier
   * left open, else the Baseline rules, else allowed. `matching` gives the nodes a rule matches.
   */
  private runTiers(
    allowed: Bitset,
    admin: readonly TierRule[],
    policies: Bitset | undefined,
    baseline: readonly TierRule[],
    matching: (rule: TierRule) => Bitset,
  ): void {
    // Without cluster-tier rules this is the NetworkPolicy answer alone: skip the bookkeeping.
    if (admin.length === 0 && baseline.length === 0) {
      unionInto(allowed, policies ?? this.all);
      return;
    }
    const claimed = emptySet(this.nodeCount);
    const settled = emptySet(this.nodeCount);
    const fresh = emptySet(this.nodeCount);
    for (const rule of admin) {
      const nodes = matching(rule);
      if (rule.action === "Pass") {
        claimInto(claimed, nodes);
        continue;
      }
      // Settle what this rule claims first: the nodes no earlier Admin rule claimed.
      fresh.fill(0);
      claimInto(claimed, nodes, fresh);
      unionInto(settled, fresh);
      if (rule.action === "Accept") unionInto(allowed, fresh);
    }
    if (policies) {
      unionIntersectionDifferenceInto(allowed, this.all, policies, settled);
      return;
    }
    for (const rule of baseline) {
      fresh.fill(0);
      claimInto(settled, matching(rule), fresh);
      // Accept allows; Pass hands the nodes to the default, which allows them too.
      if (rule.action !== "Deny") unionInto(allowed, fresh);
    }
    unionDifferenceInto(allowed, this.all, settled);
  }

  private union(key: string, fill: (bits: Bitset) => void): Bitset {
    const cached = this.unions.get(key);
    if (cached) return cached;
    const bits = emptySet(this.nodeCount);
    fill(bits);
    this.unions.set(key, bits);
    return bits;
  }

  /** The nodes a rule's peers match (all of them for a rule without `from`/`to`). */
  private peersOf(rule: CompiledRule | TierRule): Bitset {
    if (!rule.peers) return this.all;
    const cached = this.ruleSets.get(rule.peersKey);
    if (cached) return cached;
    const bits = emptySet(this.nodeCount);
    for (const peer of rule.peers) unionInto(bits, this.peerSet(peer));
    this.ruleSets.set(rule.peersKey, bits);
    return bits;
  }

  private peerSet(peer: PeerMatcher): Bitset {
    const cached = this.peerSets.get(peer.key);
    if (cached) return cached;
    const bits = emptySet(this.nodeCount);
    unionInto(bits, podSetOf(this.estate, peer));
    if (peer.kind === "ipBlock") {
      this.externalAddresses.forEach((ip, i) => {
        if (inIpBlock(peer, ip)) add(bits, this.podCount + i);
      });
    }
    this.peerSets.set(peer.key, bits);
    return bits;
  }

  /**
   * The destination nodes at which an egress rule's ports admit the matrix port. Only named ports (in the
   * rule or the matrix) make it depend on the destination; otherwise it is all nodes or none.
   */
  private portFilter(rule: CompiledRule | TierRule, port: PortSpec, p: number): Bitset {
    if (!rule.ports) return this.all;
    const named = typeof port.port === "string" || rule.ports.some((entry) => entry.name !== undefined);
    if (!named) {
      const connection: Connection = { port: port.port as number, protocol: port.protocol ?? "TCP" };
      return portsMatch(rule.ports, connection, undefined) ? this.all : this.none;
    }
    const key = `${rule.portsKey} ${p}`;
    const cached = this.portFilters.get(key);
    if (cached) return cached;
    const bits = emptySet(this.nodeCount);
    for (let node = 0; node < this.nodeCount; node++) {
      const pod = this.podAt(node);
      const connection = resolvePort(port, pod);
      if (connection && portsMatch(rule.ports, connection, pod)) add(bits, node);
    }
    this.portFilters.set(key, bits);
    return bits;
  }
}

function ids(rules: readonly { id: number }[]): string {
  return rules.map((rule) => rule.id).join(",");
}
