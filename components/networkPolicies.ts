import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type PolicySpec, toNetworkPolicy } from "../model/policy";
import { networkPolicyResource } from "./networkPolicy";

export interface NetworkPoliciesArgs {
  /** Planned policies, in any order; each one's `after` names policies of this same list. */
  policies: readonly PolicySpec[];
  /** Resources every policy waits for, such as the namespaces the policies live in. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** Declares planned NetworkPolicies, each after the policies it must follow. */
export class NetworkPolicies extends pulumi.ComponentResource {
  /** `namespace/name` of every declared policy. */
  public readonly policyNames: string[];

  constructor(name: string, args: NetworkPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:kubernetes:NetworkPolicies", name, {}, opts);
    declarePolicies(args.policies, this, args.dependsOn ?? []);
    this.policyNames = args.policies.map((policy) => `${policy.namespace}/${policy.name}`).sort();
    this.registerOutputs({ policyNames: this.policyNames });
  }
}

/**
 * Declares each policy as a child of `parent`, named by its `resourceName`, after the policies its `after`
 * lists: the ordering the plan decided becomes `dependsOn` edges the engine honours on create.
 */
export function declarePolicies(
  policies: readonly PolicySpec[],
  parent: pulumi.Resource,
  dependsOn: pulumi.Input<pulumi.Resource>[],
): k8s.apiextensions.CustomResource[] {
  const byName = new Map(policies.map((policy) => [policy.resourceName, policy]));
  const declared = new Map<string, k8s.apiextensions.CustomResource>();
  const declare = (policy: PolicySpec): k8s.apiextensions.CustomResource => {
    const existing = declared.get(policy.resourceName);
    if (existing) return existing;
    const before = policy.after.map((resourceName) => {
      const first = byName.get(resourceName);
      if (!first)
        throw new Error(`bug: policy ${policy.resourceName} follows unknown policy ${resourceName}`);
      return declare(first);
    });
    const resource = networkPolicyResource(policy.resourceName, toNetworkPolicy(policy), {
      parent,
      dependsOn: [...dependsOn, ...before],
      retainOnDelete: policy.retainOnDelete ?? false,
    });
    declared.set(policy.resourceName, resource);
    return resource;
  };
  return policies.map(declare);
}
