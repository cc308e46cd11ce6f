/**
 * Cluster-tier policies for the x/y/z estate, in the three flavours the evaluator reads. Each builder
 * writes what a person would apply to a cluster; expectations in the tests are written from the
 * network-policy-api's text, never read back from the evaluator.
 */

import type { NetworkPolicy } from "../../core/k8s";
import { type ClusterTierManifest, type Estate, NetworkPolicyEvaluator } from "../../evaluator";
import { xyzEstate } from "./estate";

type Spec = Record<string, unknown>;

/** `networking.k8s.aws/v1alpha1 ClusterNetworkPolicy`: what EKS runs. */
export function eks(name: string, spec: Spec): ClusterTierManifest {
  return {
    apiVersion: "networking.k8s.aws/v1alpha1",
    kind: "ClusterNetworkPolicy",
    metadata: { name },
    spec,
  };
}

/** `policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy`: upstream's current API. */
export function upstream(name: string, spec: Spec): ClusterTierManifest {
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha2",
    kind: "ClusterNetworkPolicy",
    metadata: { name },
    spec,
  };
}

export function anp(name: string, spec: Spec): ClusterTierManifest {
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    metadata: { name },
    spec,
  };
}

export function banp(spec: Spec, name = "default"): ClusterTierManifest {
  return {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "BaselineAdminNetworkPolicy",
    metadata: { name },
    spec,
  };
}

/** Every pod of namespace `ns` (the x/y/z namespaces carry `ns: <name>`). */
export const inNs = (ns: string) => ({ namespaces: { matchLabels: { ns } } });
export const everyNamespace = { namespaces: {} };
export const podsOf = (ns: string, pod: string) => ({
  pods: { namespaceSelector: { matchLabels: { ns } }, podSelector: { matchLabels: { pod } } },
});

export function tierEstate(policies: NetworkPolicy[], clusterPolicies: ClusterTierManifest[]): Estate {
  return { ...xyzEstate(policies), clusterPolicies };
}

export function tierEvaluator(
  policies: NetworkPolicy[],
  clusterPolicies: ClusterTierManifest[],
): NetworkPolicyEvaluator {
  return new NetworkPolicyEvaluator(tierEstate(policies, clusterPolicies));
}
