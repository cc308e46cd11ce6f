/**
 * The evaluator: decides whether a connection is allowed, exactly as the Kubernetes NetworkPolicy API and
 * the network-policy-api tiers specify (docs/cluster-tier-policies.md has the sources). Each side of a
 * connection (egress at the source, ingress at the destination) runs one pipeline:
 *
 * 1. The Admin tier: the cluster-tier Admin rules whose policy selects the pod, by priority and rule order.
 *    The first rule matching the peer and port decides: Deny or Accept is final, Pass goes on to 2.
 * 2. The NetworkPolicies: a pod is isolated for ingress (egress) when some policy of its own namespace
 *    selects it and affects that direction; then only what some rule of those policies allows gets
 *    through, and that is final. NetworkPolicies are additive: no deny rule, order never matters.
 * 3. The Baseline tier, for pods no NetworkPolicy isolates: first match, Accept or Deny.
 * 4. Otherwise allowed.
 *
 * A connection between pods needs both sides allowed. From an address outside the pods only the
 * destination's ingress counts; to one, only the source's egress. A pod can always reach itself.
 */

import { addressToNumber } from "./addresses";
import {
  type CompiledEstate,
  type CompiledPolicy,
  type Connection,
  compileEstate,
  inIpBlock,
  type PodRecord,
  peerMatchesPod,
  portsMatch,
  resolvePort,
  type TierRule,
} from "./compile";
import { type InputIssue, throwIfAny } from "./errors";
import {
  checkEstate,
  probeIssues as checkProbe,
  type EstateLookup,
  matrixIssues,
  parseProbeFile,
} from "./input";
import { ReachabilityMatrix } from "./matrix";
import { loopbackText, reasonText } from "./reason";
import type {
  ClusterPolicy,
  Direction,
  Endpoint,
  Estate,
  PodEndpoint,
  PodInfo,
  PortSpec,
  Probe,
  ProbeResult,
  RuleRef,
  SideVerdict,
  TierRuleRef,
} from "./types";

/** One end of a connection: a pod, or an address outside the pods. */
export interface EndpointNode {
  pod?: PodRecord;
  ip: bigint;
  name: string;
}

/** The first of `rules` (in run order) that matches the peer and the connection, with the peer's index. */
export function firstTierMatch(
  rules: readonly TierRule[],
  peer: EndpointNode,
  connection: Connection,
  destination: PodRecord | undefined,
): { rule: TierRule; peer: number } | undefined {
  for (const rule of rules) {
    if (!portsMatch(rule.ports, connection, destination)) continue;
    const index = rule.peers.findIndex((p) =>
      peer.pod ? peerMatchesPod(p, peer.pod) : p.kind === "ipBlock" && inIpBlock(p, peer.ip),
    );
    if (index >= 0) return { rule, peer: index };
  }
  return undefined;
}

function tierRef(match: { rule: TierRule; peer: number }): TierRuleRef {
  const { rule } = match;
  return {
    tier: rule.policy.tier,
    kind: rule.policy.kind,
    policy: rule.policy.name,
    direction: rule.direction,
    rule: rule.index,
    ...(rule.name === undefined ? {} : { name: rule.name }),
    action: rule.action,
    peer: match.peer,
  };
}

export class NetworkPolicyEvaluator implements EstateLookup {
  /** The estate as validated: namespaces carry `kubernetes.io/metadata.name`, ports their protocol. */
  readonly estate: Estate;
  readonly compiled: CompiledEstate;
  /** The estate's cluster-tier policies, normalised from whichever flavour they were written in. */
  readonly clusterPolicies: readonly ClusterPolicy[];
  /**
   * What the estate holds that is accepted but not evaluated as written (domainNames peers), or whose
   * order the cluster leaves open (equal priorities with overlapping subjects).
   */
  readonly warnings: readonly InputIssue[];

  /** Validates and indexes the estate; throws `InputError` naming every bad field. */
  constructor(estate: Estate) {
    const checked = checkEstate(estate);
    this.estate = checked.estate;
    this.clusterPolicies = checked.clusterPolicies.map(({ policy }) => policy);
    this.compiled = compileEstate(this.estate, checked.clusterPolicies);
    this.warnings = [...checked.warnings, ...this.compiled.warnings];
  }

  hasNamespace(name: string): boolean {
    return this.compiled.namespacesByName.has(name);
  }

  pod(namespace: string, name: string): PodInfo | undefined {
    return this.compiled.podsByKey.get(`${namespace}/${name}`)?.info;
  }

  podByIp(ip: string): PodInfo | undefined {
    return this.node({ ip }).pod?.info;
  }

  /** Every pod of the estate as an endpoint, in input order: the usual rows and columns of a matrix. */
  podEndpoints(): PodEndpoint[] {
    return this.compiled.pods.map((pod) => ({ namespace: pod.namespace.name, pod: pod.name }));
  }

  /** What is wrong with a probe, with paths under `path` (e.g. `probes[3]`); empty when it can be decided. */
  probeIssues(probe: unknown, path = "probe"): InputIssue[] {
    return checkProbe(probe, path, this);
  }

  /** Decides one connection. Throws `InputError` for a probe that names what the estate lacks. */
  probe(probe: Probe): ProbeResult {
    throwIfAny(this.probeIssues(probe));
    const source = this.node(probe.from);
    const destination = this.node(probe.to);
    const connection = resolvePort(probe, destination.pod)!;
    return this.decide(source, destination, connection);
  }

  /**
   * The allowed connections between every source and destination on every port, computed once from
   * indexes (see `ReachabilityMatrix`). Throws `InputError` for unknown endpoints or port names.
   */
  matrix(
    sources: readonly Endpoint[],
    destinations: readonly Endpoint[],
    ports: readonly PortSpec[],
  ): ReachabilityMatrix {
    throwIfAny(matrixIssues(sources, destinations, ports, this));
    return new ReachabilityMatrix(this, sources, destinations, ports);
  }

  /** The pod or address an endpoint designates; an address that belongs to a pod is that pod. */
  node(endpoint: Endpoint): EndpointNode {
    if ("ip" in endpoint) {
      // Validation accepts an address as a /32 and with blanks around it; the endpoint is the address.
      const address = endpoint.ip.trim().split("/")[0]!;
      const ip = addressToNumber(address);
      const pod = this.compiled.podsByIp.get(ip);
      return pod ? { pod, ip, name: pod.key } : { ip, name: address };
    }
    const pod = this.compiled.podsByKey.get(`${endpoint.namespace}/${endpoint.pod}`)!;
    return { pod, ip: pod.ip, name: pod.key };
  }

  private decide(source: EndpointNode, destination: EndpointNode, connection: Connection): ProbeResult {
    const egress = this.side("egress", source.pod, destination, connection, destination.pod);
    const ingress = this.side("ingress", destination.pod, source, connection, destination.pod);
    if (source.pod !== undefined && source.pod === destination.pod) {
      return { verdict: "allow", reason: loopbackText(source.pod.key), connection, egress, ingress };
    }
    const verdict = egress.allowed && ingress.allowed ? "allow" : "deny";
    const names = { source: source.name, destination: destination.name };
    return { verdict, reason: reasonText(egress, ingress, names, connection), connection, egress, ingress };
  }

  /** What the tiers and policies of `pod` say about traffic in `direction` with `peer` at the other end. */
  private side(
    direction: Direction,
    pod: PodRecord | undefined,
    peer: EndpointNode,
    connection: Connection,
    destination: PodRecord | undefined,
  ): SideVerdict {
    if (!pod) {
      return { direction, isolated: false, isolatedBy: [], allowedBy: [], allowed: true, decidedBy: "none" };
    }
    const policies: CompiledPolicy[] = direction === "ingress" ? pod.ingressPolicies : pod.egressPolicies;
    const allowedBy: RuleRef[] = [];
    for (const policy of policies) {
      for (const rule of policy[direction]!) {
        if (!portsMatch(rule.ports, connection, destination)) continue;
        const ref: RuleRef = { policy: policy.key, direction, rule: rule.index };
        if (!rule.peers) {
          allowedBy.push(ref);
          continue;
        }
        const matched = rule.peers.findIndex((p) =>
          peer.pod ? peerMatchesPod(p, peer.pod) : p.kind === "ipBlock" && inIpBlock(p, peer.ip),
        );
        if (matched >= 0) allowedBy.push({ ...ref, peer: matched });
      }
    }
    const isolated = policies.length > 0;
    const facts = {
      direction,
      pod: pod.key,
      isolated,
      isolatedBy: policies.map((policy) => policy.key),
      allowedBy,
    };
    const admin = firstTierMatch(pod.tierRules.Admin[direction], peer, connection, destination);
    if (admin && admin.rule.action !== "Pass") {
      const allowed = admin.rule.action === "Accept";
      return { ...facts, allowed, decidedBy: "Admin", tierRule: tierRef(admin) };
    }
    const passed = admin ? { passedBy: tierRef(admin) } : {};
    if (isolated) return { ...facts, allowed: allowedBy.length > 0, decidedBy: "NetworkPolicy", ...passed };
    const baseline = firstTierMatch(pod.tierRules.Baseline[direction], peer, connection, destination);
    // A Baseline Pass hands the side to the default, which allows it.
    if (baseline && baseline.rule.action !== "Pass") {
      const allowed = baseline.rule.action === "Accept";
      return { ...facts, allowed, decidedBy: "Baseline", tierRule: tierRef(baseline), ...passed };
    }
    return { ...facts, allowed: true, decidedBy: "default", ...passed };
  }
}

/** A probe as given, with what the evaluator decided about it. */
export interface ProbeAnswer {
  probe: Probe;
  result: ProbeResult;
}

/** The answers to a probe file, and what its estate holds that is not evaluated as written. */
export interface ProbeFileAnswers {
  answers: ProbeAnswer[];
  warnings: readonly InputIssue[];
}

/**
 * Evaluates a whole `netseg probe` file (DESIGN.md section 7), answers in input order. Throws `InputError`
 * with every problem of the file, estate and probes alike, before deciding anything.
 */
export function answerProbeFile(raw: unknown): ProbeAnswer[] {
  return answerProbeFileWithWarnings(raw).answers;
}

/** `answerProbeFile`, with the warnings about the estate (paths as in the file). */
export function answerProbeFileWithWarnings(raw: unknown): ProbeFileAnswers {
  const { probes } = parseProbeFile(raw);
  // The file as given (cluster-tier objects still in `policies`), so warnings name the file's paths.
  const evaluator = new NetworkPolicyEvaluator(raw as Estate);
  throwIfAny(probes.flatMap((probe, i) => evaluator.probeIssues(probe, `probes[${i}]`)));
  const answers = (probes as Probe[]).map((probe) => ({ probe, result: evaluator.probe(probe) }));
  return { answers, warnings: evaluator.warnings };
}
