/**
 * "No NetworkPolicy in an area namespace allows all sources", as a pure function of the stack's resources.
 *
 * It is a stack check because the fact that makes a policy dangerous is on another resource: the policy
 * names its namespace, and only the Namespace resource says whether that namespace is in an area. An
 * allow-all rule there undoes the area's default-deny for every pod it selects, since NetworkPolicies only
 * ever add allowances.
 */
import type { LabelSelector, NetworkPolicyIngressRule, NetworkPolicyPeer } from "../core/k8s";
import { ROLE_LABEL } from "../core/labels";
import { isWholeInternet } from "./securityGroups";

export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

export interface StackResourceLike {
  type: string;
  urn: string;
  /** The resource's properties (its outputs, which during preview are its inputs). */
  props: Readonly<Record<string, unknown>>;
}

export interface Violation {
  /** The resource in violation. */
  urn: string;
  message: string;
}

interface MetadataProps {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

interface NetworkPolicyProps {
  metadata?: MetadataProps;
  spec?: { policyTypes?: string[]; ingress?: NetworkPolicyIngressRule[] };
}

/** A selector with no term selects everything in its scope. */
function isEmptySelector(selector: LabelSelector | null | undefined): boolean {
  if (selector === undefined || selector === null) return false;
  return (
    Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

/** Why a peer admits every source, or undefined when it is narrower than that. */
function allSourcesPeer(peer: NetworkPolicyPeer): string | undefined {
  if (peer.ipBlock && isWholeInternet(peer.ipBlock.cidr)) {
    return `ipBlock ${peer.ipBlock.cidr} admits every address, inside the cluster and out`;
  }
  if (isEmptySelector(peer.namespaceSelector) && (!peer.podSelector || isEmptySelector(peer.podSelector))) {
    return "an empty namespaceSelector with no pod selector admits every pod of every namespace, areas and tools alike";
  }
  return undefined;
}

/** Why an ingress rule admits every source, or undefined when it does not. */
export function allSourcesReason(rule: NetworkPolicyIngressRule): string | undefined {
  const from = rule.from ?? [];
  if (from.length === 0) return 'it has no "from", which admits every source, inside the cluster and out';
  for (const peer of from) {
    const reason = allSourcesPeer(peer);
    if (reason) return reason;
  }
  return undefined;
}

/** Names of the namespaces the stack declares with the `area` role. */
export function areaNamespaceNames(resources: readonly StackResourceLike[]): Set<string> {
  const names = new Set<string>();
  for (const resource of resources) {
    if (resource.type !== NAMESPACE) continue;
    const metadata = resource.props.metadata as MetadataProps | undefined;
    if (metadata?.labels?.[ROLE_LABEL] === "area" && metadata.name) names.add(metadata.name);
  }
  return names;
}

/** Violations of "no NetworkPolicy in an area namespace allows all sources". */
export function allowAllIngressViolations(resources: readonly StackResourceLike[]): Violation[] {
  const areaNamespaces = areaNamespaceNames(resources);
  const violations: Violation[] = [];
  for (const resource of resources) {
    if (resource.type !== NETWORK_POLICY) continue;
    const policy = resource.props as NetworkPolicyProps;
    const namespace = policy.metadata?.namespace;
    if (namespace === undefined || !areaNamespaces.has(namespace)) continue;
    // Ingress rules of a policy whose explicit types leave out Ingress are never applied.
    const types = policy.spec?.policyTypes;
    if (types !== undefined && types.length > 0 && !types.includes("Ingress")) continue;
    (policy.spec?.ingress ?? []).forEach((rule, index) => {
      const reason = allSourcesReason(rule);
      if (reason === undefined) return;
      violations.push({
        urn: resource.urn,
        message:
          `NetworkPolicy "${namespace}/${policy.metadata?.name ?? "(unnamed)"}" ingress rule ${index + 1}: ` +
          `${reason}. "${namespace}" is an area namespace, where every allowance names its sources (an ` +
          "area, a namespace, labelled pods, a CIDR narrower than the internet).",
      });
    });
  }
  return violations;
}
