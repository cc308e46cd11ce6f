/**
 * The Kubernetes half of the stack as one plan: every managed namespace with the default policies that
 * live in it. Components loop over this; tests and `netseg plan` read the same records.
 */
import { planAreaPolicies, planToolPolicies } from "./areaPolicies";
import type { SegmentationConfig } from "./config";
import { type NamespaceSpec, planNamespaces } from "./namespaces";
import type { PolicySpec } from "./policy";
import { planToolEgressPolicies } from "./toolPolicies";

export interface NamespacePlan {
  namespace: NamespaceSpec;
  policies: PolicySpec[];
}

export function planKubernetes(config: SegmentationConfig): NamespacePlan[] {
  const byNamespace = new Map<string, PolicySpec[]>();
  for (const policy of [
    ...planAreaPolicies(config),
    ...planToolPolicies(config),
    ...planToolEgressPolicies(config),
  ]) {
    byNamespace.set(policy.namespace, [...(byNamespace.get(policy.namespace) ?? []), policy]);
  }
  return planNamespaces(config).map((namespace) => ({
    namespace,
    policies: byNamespace.get(namespace.name) ?? [],
  }));
}
