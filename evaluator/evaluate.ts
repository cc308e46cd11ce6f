/**
 * The NetworkPolicy evaluator: decides whether a connection is allowed, exactly as the Kubernetes
 * NetworkPolicy API specifies.
 *
 * - A pod is isolated for ingress (egress) when some policy of its own namespace selects it and affects
 *   that direction; then only what some rule of those policies allows gets through. Policies are additive:
 *   there is no deny rule, and the order of policies never matters.
 * - A connection between pods needs egress allowed at the source and ingress at the destination. From an
 *   address outside the pods only the destination's ingress counts; to one, only the source's egress.
 * - A pod can always reach itself.
 */
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
} from "./compile";
import { type InputIssue, throwIfAny } from "./errors";
import {
  probeIssues as checkProbe,
  type EstateLookup,
  matrixIssues,
  parseProbeFile,
  validateEstate,
} from "./input";
import { addressToNumber } from "./ipv4";
import { ReachabilityMatrix } from "./matrix";
import { loopbackText, reasonText } from "./reason";
import type {
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
} from "./types";

/** One end of a connection: a pod, or an address outside the pods. */
export interface EndpointNode {
  pod?: PodRecord;
  ip: number;
  name: string;
}

export class NetworkPolicyEvaluator implements EstateLookup {
  /** The estate as validated: namespaces carry `kubernetes.io/metadata.name`, ports their protocol. */
  readonly estate: Estate;
  readonly compiled: CompiledEstate;

  /** Validates and indexes the estate; throws `InputError` naming every bad field. */
  constructor(estate: Estate) {
    this.estate = validateEstate(estate);
    this.compiled = compileEstate(this.estate);
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

  /** What the policies of `pod` say about traffic in `direction` with `peer` at the other end. */
  private side(
    direction: Direction,
    pod: PodRecord | undefined,
    peer: EndpointNode,
    connection: Connection,
    destination: PodRecord | undefined,
  ): SideVerdict {
    if (!pod) return { direction, isolated: false, isolatedBy: [], allowedBy: [], allowed: true };
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
    return {
      direction,
      pod: pod.key,
      isolated,
      isolatedBy: policies.map((policy) => policy.key),
      allowedBy,
      allowed: !isolated || allowedBy.length > 0,
    };
  }
}

/** A probe as given, with what the evaluator decided about it. */
export interface ProbeAnswer {
  probe: Probe;
  result: ProbeResult;
}

/**
 * Evaluates a whole `netseg probe` file (DESIGN.md section 7), answers in input order. Throws `InputError`
 * with every problem of the file, estate and probes alike, before deciding anything.
 */
export function answerProbeFile(raw: unknown): ProbeAnswer[] {
  const { estate, probes } = parseProbeFile(raw);
  const evaluator = new NetworkPolicyEvaluator(estate);
  throwIfAny(probes.flatMap((probe, i) => evaluator.probeIssues(probe, `probes[${i}]`)));
  return (probes as Probe[]).map((probe) => ({ probe, result: evaluator.probe(probe) }));
}
