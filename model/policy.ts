/**
 * A NetworkPolicy as the model plans it: the Kubernetes object plus what the stack needs to declare it
 * safely (a stable logical name, why it exists, what must exist before it). Every policy the stack creates
 * (area defaults, controllers, tools) is a `PolicySpec`, rendered by one function.
 */
import type { NetworkPolicy, NetworkPolicySpec } from "../core/k8s";
import { MANAGED_LABEL } from "../core/labels";

/** Annotation that carries the reason a policy exists, for the people reading it in the cluster. */
export const DESCRIPTION_ANNOTATION = "netseg.dev/description";

export interface PolicySpec {
  /** Pulumi logical name: derived from namespace and policy name only, so it never changes with config. */
  resourceName: string;
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  /** Why the policy exists, in one sentence. */
  description: string;
  spec: NetworkPolicySpec;
  /**
   * `resourceName`s of policies that must exist before this one. A default-deny waits for every allow of
   * its namespace, so creating the namespace's policies never cuts traffic in between.
   */
  after: readonly string[];
  /**
   * Left in the cluster when the stack stops declaring it, until Kubernetes deletes it with its namespace.
   * Only for policies that deny: one left behind can never open anything.
   */
  retainOnDelete?: boolean;
}

export function policyResourceName(namespace: string, name: string): string {
  return `${namespace}-${name}`;
}

/** The Kubernetes object for a planned policy of the platform, marked as managed by the stack. */
export function toNetworkPolicy(policy: PolicySpec): NetworkPolicy {
  return networkPolicyObject(policy, { [MANAGED_LABEL]: "true" });
}

/**
 * The Kubernetes object for a planned policy, with `extraLabels` on top of its own. A service's contract
 * gets none: admission refuses the platform's managed label to the teams that own contracts.
 */
export function networkPolicyObject(policy: PolicySpec, extraLabels: Record<string, string>): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: policy.name,
      namespace: policy.namespace,
      labels: { ...policy.labels, ...extraLabels },
      annotations: { [DESCRIPTION_ANNOTATION]: policy.description },
    },
    spec: policy.spec,
  };
}
