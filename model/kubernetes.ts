/**
 * The Kubernetes half of the stack as one plan: every managed namespace with the default policies that
 * live in it. Components loop over this; tests and `netseg plan` read the same records.
 */
import { AREA_POLICY, planAreaPolicies, planToolPolicies } from "./areaPolicies";
import type { SegmentationConfig } from "./config";
import { type NamespaceSpec, planNamespaces } from "./namespaces";
import type { PolicySpec } from "./policy";
import { planStorePolicies } from "./storePolicies";
import { planToolEgressPolicies } from "./toolPolicies";

export interface NamespacePlan {
  namespace: NamespaceSpec;
  policies: PolicySpec[];
}

export function planKubernetes(config: SegmentationConfig): NamespacePlan[] {
  const byNamespace = new Map<string, PolicySpec[]>();
  const storePolicies = planStorePolicies(config);
  for (const policy of [
    ...withStoreAllowsFirst(planAreaPolicies(config), storePolicies),
    ...planToolPolicies(config),
    ...planToolEgressPolicies(config),
    ...storePolicies,
  ]) {
    byNamespace.set(policy.namespace, [...(byNamespace.get(policy.namespace) ?? []), policy]);
  }
  return planNamespaces(config).map((namespace) => ({
    namespace,
    policies: byNamespace.get(namespace.name) ?? [],
  }));
}

/**
 * The area egress of a namespace leaves the closed stores' subnets out: it (and the default-deny, which
 * waits for every allow) waits for the namespace's store allows, so a client never loses its store while
 * the policies roll out, and it says what it leaves out.
 */
function withStoreAllowsFirst(policies: PolicySpec[], storePolicies: PolicySpec[]): PolicySpec[] {
  if (storePolicies.length === 0) return policies;
  return policies.map((policy) => {
    if (policy.name !== AREA_POLICY.egress && policy.name !== AREA_POLICY.defaultDeny) return policy;
    const allows = storePolicies
      .filter((store) => store.namespace === policy.namespace)
      .map((p) => p.resourceName);
    const after = [...new Set([...policy.after, ...allows])].sort();
    if (policy.name === AREA_POLICY.defaultDeny) return { ...policy, after };
    return {
      ...policy,
      description: `${policy.description} Subnets of data stores in clients phase are left out: only their clients' own policies reach them.`,
      after,
    };
  });
}
