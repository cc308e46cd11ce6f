/**
 * The states a namespace's NetworkPolicies pass through while Pulumi applies a change, read from the
 * dependencies the program declares. Pulumi creates or updates a resource only once everything it depends
 * on is done, and deletes what the program no longer declares at the end of the update, dependents first
 * (https://github.com/pulumi/pulumi/issues/9979). Any set of new versions closed under the dependencies
 * can therefore be live at once, next to the old versions of the rest.
 */
import type { RecordedResource } from "../../cli/offline";
import type { NetworkPolicy } from "../../core/k8s";

export const POLICY_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

export interface DeployedPolicy {
  urn: string;
  manifest: NetworkPolicy;
  /** URNs of policies of the same namespace this one waits for. */
  after: string[];
}

/** The NetworkPolicies a run declares in `namespace`, with the ordering among them. */
export function deployedPolicies(
  resources: readonly RecordedResource[],
  namespace: string,
): DeployedPolicy[] {
  const policies = resources.filter(
    (r) => r.type === POLICY_TYPE && (r.inputs.metadata as { namespace?: string }).namespace === namespace,
  );
  const urns = new Set(policies.map((r) => r.urn));
  return policies.map((r) => ({
    urn: r.urn,
    manifest: r.inputs as unknown as NetworkPolicy,
    after: r.options.dependsOn.filter((urn) => urns.has(urn)),
  }));
}

/** Every set of policies the namespace can hold on the way from `before` to `after`, both ends included. */
export function intermediateStates(
  before: readonly DeployedPolicy[],
  after: readonly DeployedPolicy[],
): DeployedPolicy[][] {
  const old = new Map(before.map((p) => [p.urn, p]));
  const removed = before.filter((p) => !after.some((q) => q.urn === p.urn));
  const states: DeployedPolicy[][] = [];
  for (const applied of closedSubsets(after, (p) => p.after)) {
    const pending = after.flatMap((p) => (applied.has(p.urn) ? [] : old.has(p.urn) ? [old.get(p.urn)!] : []));
    const done = after.filter((p) => applied.has(p.urn));
    if (applied.size < after.length) {
      states.push([...done, ...pending, ...removed]);
      continue;
    }
    // Deleting a policy waits for the deletion of every policy that depended on it.
    const dependents = (p: DeployedPolicy) =>
      removed.filter((q) => q.after.includes(p.urn)).map((q) => q.urn);
    for (const deleted of closedSubsets(removed, dependents)) {
      states.push([...done, ...removed.filter((p) => !deleted.has(p.urn))]);
    }
  }
  return states;
}

/** The subsets of `items` that hold, with each item, every item `requires` names. */
function closedSubsets(
  items: readonly DeployedPolicy[],
  requires: (item: DeployedPolicy) => readonly string[],
): Set<string>[] {
  let subsets: Set<string>[] = [new Set()];
  for (const item of items) {
    subsets = subsets.flatMap((subset) => [subset, new Set([...subset, item.urn])]);
  }
  const known = new Set(items.map((item) => item.urn));
  return subsets.filter((subset) =>
    items.every(
      (item) => !subset.has(item.urn) || requires(item).every((urn) => !known.has(urn) || subset.has(urn)),
    ),
  );
}
