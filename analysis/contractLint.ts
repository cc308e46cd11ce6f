/**
 * Contract lint against a stack: what the contract adds to the area defaults, found with the evaluator over
 * the probe estate, plus the checks that need the stack's config (namespaces it does not know, ranges that
 * cover pod addresses, VPCs the area rules keep from the namespace, data stores whose clients leave the
 * service out). The checks that read the contract
 * alone live with the contract model (`model/contracts/lint.ts`), so a service stack renders without this.
 */

import { overlaps, subtract } from "../core/cidr";
import type { NetworkPolicy } from "../core/k8s";
import type { TierRuleRef } from "../evaluator";
import { tierRuleText } from "../evaluator/reason";
import { AREA_RULES, type Phase } from "../model/areas";
import type { NamespaceConfig, SegmentationConfig } from "../model/config";
import type { Contract, ContractRule } from "../model/contracts/contract";
import { peersField, rulesOf, selects } from "../model/contracts/contract";
import {
  type Finding,
  fileFindings,
  finding,
  type StackContext,
  storeFindings,
} from "../model/contracts/lint";
import { policyName, renderContract, toContractNetworkPolicy } from "../model/contracts/render";
import { planKubernetes } from "../model/kubernetes";
import { suggestion } from "../model/zodIssues";
import {
  type ContractFlow,
  type ContractReachability,
  flowText,
  NO_PLATFORM,
  type ProbeEstate,
  platformPolicies,
  probeEstate,
  reachabilityUnder,
  withPhase,
} from "./contractEstate";

/** What the whole contract opens in one phase of its namespace. */
export interface PhaseEffect {
  phase: Phase;
  /** True for the namespace's phase in the stack's config. */
  configured: boolean;
  opened: ContractFlow[];
}

export interface LintReport {
  findings: Finding[];
  /** Checks that did not run, each with what it needs. */
  skipped: string[];
  /** With a stack: what the contract opens beyond the defaults, in each phase. */
  effects: PhaseEffect[];
}

export const SKIPPED = {
  workloads:
    "selectors that match no pod of the service, named ports the pods do not declare, endpoint labels of exposed pods: declare `workloads` (each pod template's labels and container ports)",
  services:
    "a Service port used where the pods receive on another, policy selectors that drift from the Services': declare `services` (selector, port and targetPort)",
  stack:
    "rules that add nothing beyond the area defaults, ranges that cover pod addresses, namespaces the stack does not know, data stores whose clients leave the service out: give a stack (--stack NAME or --config FILE)",
} as const;

export function lintContract(contract: Contract, stack?: StackContext): LintReport {
  const findings = [...fileFindings(contract)];
  const skipped: string[] = [];
  if (!contract.workloads) skipped.push(SKIPPED.workloads);
  if (!contract.services) skipped.push(SKIPPED.services);
  let effects: PhaseEffect[] = [];
  if (stack) {
    const result = stackFindings(contract, stack);
    findings.push(...result.findings);
    effects = result.effects;
  } else {
    skipped.push(SKIPPED.stack);
  }
  return { findings, skipped, effects };
}

// --- against the stack ----------------------------------------------------------------------------------------

function stackFindings(
  contract: Contract,
  stack: StackContext,
): { findings: Finding[]; effects: PhaseEffect[] } {
  const { config } = stack;
  const out: Finding[] = [...storeFindings(contract, stack), ...peerFindings(contract, stack)];
  const home = config.namespaces.find((ns) => ns.name === contract.namespace);
  if (!home) {
    out.push(
      finding("error", "namespace", {
        path: "namespace",
        value: contract.namespace,
        problem: `is not an area namespace of stack ${stack.name}, so there are no area defaults to compose with`,
        fix:
          suggestion(
            contract.namespace,
            config.namespaces.map((ns) => ns.name),
          ) ?? "ask the platform team to add it to segmentation:namespaces",
      }),
    );
    return { findings: out, effects: [] };
  }
  out.push(...areaVpcFindings(contract, config, home));
  const composed = composeWithDefaults(contract, config, home);
  out.push(...addsNothingFindings(contract, stack, composed));
  return { findings: out, effects: composed.effects };
}

/** Peers in namespaces the stack does not have, and ingress ranges that cover the cluster's pods. */
function peerFindings(contract: Contract, stack: StackContext): Finding[] {
  const { config } = stack;
  const known = planKubernetes(config).map((plan) => plan.namespace.name);
  const out: Finding[] = [];
  for (const { rule, path } of rulesOf(contract)) {
    const field = peersField(rule.direction);
    rule.peers.forEach((peer, j) => {
      if (peer.kind === "namespace" && !known.includes(peer.namespace)) {
        out.push(
          finding("warning", "namespace", {
            path: `${path}.${field}[${j}].namespace`,
            value: peer.namespace,
            problem: `is not a namespace of stack ${stack.name}`,
            fix:
              suggestion(peer.namespace, known) ??
              "check the name: a peer in a namespace that does not exist admits nothing",
          }),
        );
      }
      if (peer.kind === "cidr" && rule.direction === "ingress" && overlaps(peer.cidr, config.cluster.cidrs)) {
        out.push(
          finding("error", "cidr-covers-pods", {
            path: `${path}.${field}[${j}].cidr`,
            value: peer.cidr,
            problem: `overlaps the cluster's pod addresses (${config.cluster.cidrs.join(", ")}); ipBlocks match pods under the VPC CNI, so this admits pods of every area`,
            fix: "select pods with {area}, {namespace} or {pods}, and give only ranges outside the cluster",
          }),
        );
      }
    });
  }
  return out;
}

/**
 * Egress ranges into a VPC the area rules keep from the contract's area (the seed's egress segmentation);
 * the cluster's own pod ranges inside the cluster's VPC are open to every area.
 */
function areaVpcFindings(contract: Contract, config: SegmentationConfig, home: NamespaceConfig): Finding[] {
  const deniedVpcs = config.vpcs.filter((vpc) => !AREA_RULES[home.area].egressToVpcs.includes(vpc.name));
  const out: Finding[] = [];
  contract.egress.forEach((rule, r) => {
    rule.peers.forEach((peer, j) => {
      if (peer.kind !== "cidr") return;
      for (const vpc of deniedVpcs) {
        const outsidePods = subtract(vpc.cidrs, config.cluster.cidrs);
        if (!overlaps(peer.cidr, outsidePods)) continue;
        out.push(
          finding("error", "area-vpc", {
            path: `egress[${r}].to[${j}].cidr`,
            value: peer.cidr,
            problem: `reaches the ${vpc.name} VPC (${vpc.cidrs.join(", ")}), which the area rules keep from ${home.area} namespaces such as ${home.name}`,
            fix: `drop the range; a service that needs the ${vpc.name} VPC belongs in an area that reaches it (ask the platform team)`,
          }),
        );
      }
    });
  });
  return out;
}

/** The contract composed with its area's defaults in each phase, its own phase first. */
interface Composition {
  phases: Phase[];
  estate: ProbeEstate;
  byName: Map<string, NetworkPolicy>;
  /** What the whole contract opens beyond the defaults, per phase. */
  effects: PhaseEffect[];
  /** What each rule opens on its own beyond the defaults, per phase in the order of `phases`. */
  opened: Map<string, ContractFlow[][]>;
  /** What the defaults alone allow, per phase. */
  bases: ContractReachability[];
}

function composeWithDefaults(
  contract: Contract,
  config: SegmentationConfig,
  home: NamespaceConfig,
): Composition {
  const phases: Phase[] = home.phase === "strict" ? ["strict", "migration"] : ["migration", "strict"];
  const policies = renderContract(contract);
  const byName = new Map(policies.map((policy) => [policy.name, toContractNetworkPolicy(policy)]));
  const estate = probeEstate(config, contract);
  const effects: PhaseEffect[] = [];
  const opened = new Map<string, ContractFlow[][]>();
  const bases: ContractReachability[] = [];
  for (const phase of phases) {
    const defaults = platformPolicies(withPhase(config, contract.namespace, phase));
    const base = reachabilityUnder(estate, defaults);
    bases.push(base);
    const all = reachabilityUnder(estate, defaults, [...byName.values()]);
    effects.push({ phase, configured: phase === home.phase, opened: all.allowedBeyond(base) });
    for (const { rule } of rulesOf(contract)) {
      const name = policyName(contract, rule);
      const alone = reachabilityUnder(estate, defaults, [byName.get(name)!]);
      opened.set(name, [...(opened.get(name) ?? []), alone.allowedBeyond(base)]);
    }
  }
  return { phases, estate, byName, effects, opened, bases };
}

/**
 * Rules that open nothing beyond the defaults: a note when they open something in the other phase (they
 * are kept for the move), a warning when they open nothing in either.
 */
function addsNothingFindings(contract: Contract, stack: StackContext, composed: Composition): Finding[] {
  const { phases, estate, byName, opened, bases } = composed;
  const out: Finding[] = [];
  for (const { rule, path } of rulesOf(contract)) {
    const name = policyName(contract, rule);
    const [now, later] = opened.get(name)!;
    if (now!.length > 0) continue;
    const admitted = admittedBy(contract, rule, estate, byName.get(name)!);
    const held = tierHeld(admitted, bases[0]!);
    if (held) {
      out.push(
        finding("error", "cluster-tier", {
          path,
          value: name,
          problem: `cannot open what it admits in stack ${stack.name}: e.g. ${flowText(held.flow)} is denied by ${tierRuleText(held.rule)} before any NetworkPolicy is asked, and no contract can undo the cluster tier`,
          fix: `in policyMode clusterTier only the area rules let such traffic through: remove the rule, or have the platform change the area rules`,
        }),
      );
      continue;
    }
    if (later!.length > 0) {
      out.push(
        finding("note", "adds-nothing", {
          path,
          value: name,
          problem: `adds nothing in the ${phases[0]} phase, the phase of ${contract.namespace} in stack ${stack.name} (the area defaults already allow what it admits); in the ${phases[1]} phase it opens ${later!.length} connection${later!.length === 1 ? "" : "s"}, e.g. ${flowText(later![0]!)}`,
          fix: `keep it for the move to the ${phases[1]} phase`,
        }),
      );
      continue;
    }
    out.push(
      finding("warning", "adds-nothing", {
        path,
        value: name,
        problem: `opens nothing the area defaults do not already allow, in either phase${whyNothing(rule, admitted, bases[0]!)}`,
        fix:
          rule.direction === "egress" && rule.peers.every((peer) => peer.kind !== "cidr")
            ? "remove the rule: the defaults let pods out to every pod, and it is the destination's own contract that must admit them"
            : "remove the rule, or correct what it was meant to open",
      }),
    );
  }
  return out;
}

/**
 * A connection the rule admits that the Admin tier denies on either side, with the rule that denies it: that
 * tier decides before any NetworkPolicy, so the contract cannot open it in that stack. (A Baseline decision
 * is taken only where no NetworkPolicy selects the pod, so a contract overrides it.)
 */
function tierHeld(
  admitted: readonly ContractFlow[],
  base: ContractReachability,
): { flow: ContractFlow; rule: TierRuleRef } | undefined {
  for (const flow of admitted) {
    const result = base.explain(flow);
    for (const side of [result.ingress, result.egress]) {
      if (side.tierRule && side.decidedBy === "Admin" && !side.allowed) return { flow, rule: side.tierRule };
    }
  }
  return undefined;
}

/** The connections the rule's policy admits on its own side: its pods, its peers, its ports. */
function admittedBy(
  contract: Contract,
  rule: ContractRule,
  estate: ProbeEstate,
  policy: NetworkPolicy,
): ContractFlow[] {
  const alone = reachabilityUnder(estate, NO_PLATFORM, [policy]);
  const mine = (end: ContractFlow["from"]) =>
    end.pod?.namespace === contract.namespace && selects(rule.pods, end.pod.labels ?? {});
  return alone.allowed((flow) => (rule.direction === "ingress" ? mine(flow.to) : mine(flow.from)));
}

/** Why a rule opens nothing: an example connection it admits, and what the defaults say about it. */
function whyNothing(
  rule: ContractRule,
  admitted: readonly ContractFlow[],
  base: ContractReachability,
): string {
  const example = admitted[0];
  if (!example) return ": it admits no connection, its pods or peers match no pod";
  const result = base.explain(example);
  const [own, other] =
    rule.direction === "ingress" ? [result.ingress, result.egress] : [result.egress, result.ingress];
  const allowedBy = [...new Set(own.allowedBy.map((ref) => ref.policy))];
  if (result.verdict === "allow") {
    return `: e.g. ${flowText(example)} is already allowed by ${allowedBy.join(", ") || "every policy (nothing isolates the pod)"}`;
  }
  const isolatedBy =
    other.isolatedBy.length <= 2
      ? other.isolatedBy.join(" and ")
      : `${other.isolatedBy.slice(0, 2).join(", ")} and ${other.isolatedBy.length - 2} more`;
  const refusal = `${other.direction === "ingress" ? "ingress to" : "egress from"} ${other.pod} refuses it (isolated by ${isolatedBy}, no rule admits it)`;
  return allowedBy.length > 0
    ? `: e.g. for ${flowText(example)}, ${allowedBy.join(", ")} already lets it ${rule.direction === "ingress" ? "in" : "out"} and ${refusal}`
    : `: e.g. ${flowText(example)} stays denied: ${refusal}`;
}
