/**
 * The Kubernetes half of the stack as one plan: every managed namespace with the default policies that
 * live in it. Components loop over this; tests and `netseg plan` read the same records.
 */
import { AREA_POLICY, planAreaPolicies, planToolPolicies } from "./areaPolicies";
import type { SegmentationConfig } from "./config";
import { type NamespaceSpec, planNamespaces } from "./namespaces";
import type { PolicySpec } from "./policy";
import { closedStores } from "./storeAccess";
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
    ...withStoreAllowsFirst(planAreaPolicies(config), storePolicies, closedStores(config).length > 0),
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
 * A namespace's default-deny waits for every allow of it, the store allows included. The area egress says
 * what it leaves out once some store is in clients phase.
 */
function withStoreAllowsFirst(
  policies: PolicySpec[],
  storePolicies: PolicySpec[],
  closed: boolean,
): PolicySpec[] {
  return policies.map((policy) => {
    if (policy.name === AREA_POLICY.egress && closed) {
      return {
        ...policy,
        description: `${policy.description} Subnets of data stores in clients phase are left out: only their clients' own policies reach them.`,
      };
    }
    if (policy.name !== AREA_POLICY.defaultDeny) return policy;
    const allows = storePolicies
      .filter((store) => store.namespace === policy.namespace)
      .map((p) => p.resourceName);
    return allows.length === 0
      ? policy
      : { ...policy, after: [...new Set([...policy.after, ...allows])].sort() };
  });
}
