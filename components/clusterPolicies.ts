import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterPolicySpec } from "../model/clusterPolicies";

export interface ClusterPoliciesArgs {
  /** Planned cluster-tier objects, from `planClusterPolicies()`. */
  policies: readonly ClusterPolicySpec[];
  /** What must exist first: the VPC CNI add-on that enforces them (and installs their CRD). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The platform's Admin-tier ClusterNetworkPolicies. The namespaces' policies wait for this component: in
 * cluster-tier mode the boundaries are the tier's, and the namespace policies only open flows inside them.
 */
export class ClusterPolicies extends pulumi.ComponentResource {
  /** Names of the declared ClusterNetworkPolicies. */
  public readonly policyNames: string[];

  constructor(name: string, args: ClusterPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:kubernetes:ClusterPolicies", name, {}, opts);
    for (const { resourceName, object } of args.policies) {
      const { apiVersion, kind, metadata, spec } = object;
      new k8s.apiextensions.CustomResource(
        resourceName,
        { apiVersion, kind, metadata, spec },
        { parent: this, dependsOn: args.dependsOn ?? [] },
      );
    }
    this.policyNames = args.policies.map(({ object }) => object.metadata.name).sort();
    this.registerOutputs({ policyNames: this.policyNames });
  }
}
