/**
 * A NetworkPolicy as the model plans it: the Kubernetes object plus what the stack needs to declare it
 * safely (a stable logical name, why it exists, what must exist before it). Every policy the stack creates
 * (area defaults, controllers, tools) is a `PolicySpec`, rendered by one function.
 */
import type { NetworkPolicy, NetworkPolicySpec } from "./k8s";
import { MANAGED_LABEL } from "./labels";

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
}

export function policyResourceName(namespace: string, name: string): string {
  return `${namespace}-${name}`;
}

/**
 * The Kubernetes object for a planned policy. The platform's own policies carry `netseg.dev/managed`;
 * `owner: "service"` renders a service's contract without it, since admission refuses that label to teams.
 */
export function toNetworkPolicy(
  policy: PolicySpec,
  owner: "platform" | "service" = "platform",
): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: policy.name,
      namespace: policy.namespace,
      labels: owner === "platform" ? { ...policy.labels, [MANAGED_LABEL]: "true" } : { ...policy.labels },
      annotations: { [DESCRIPTION_ANNOTATION]: policy.description },
    },
    spec: policy.spec,
  };
}
