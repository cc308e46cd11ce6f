import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SECURITY_GROUP_POLICY_API, type SecurityGroupPolicySpec } from "../model/storeAccess";

export interface PodSecurityGroupsArgs {
  /** The planned SecurityGroupPolicies, from `planSecurityGroupPolicies()`. */
  policies: SecurityGroupPolicySpec[];
  /** Security group id per client group key, from `AwsSide.clientGroupIds`. */
  clientGroupIds: Record<string, pulumi.Input<string>>;
  /** What must exist first: the namespaces the policies live in, and the VPC CNI add-on. @default [] */
  dependsOn?: pulumi.Resource[];
}

/**
 * Gives the pods of each data-store client its own network interface with the client's security group and
 * the cluster's (SecurityGroupPolicy, vpcresources.k8s.aws/v1beta1). Pods already running keep the node's
 * groups until restarted (https://docs.aws.amazon.com/eks/latest/userguide/sg-pods-example-deployment.html).
 */
export class PodSecurityGroups extends pulumi.ComponentResource {
  /** `namespace/name` of each SecurityGroupPolicy, in plan order. */
  public readonly policyNames: string[];

  constructor(name: string, args: PodSecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:kubernetes:PodSecurityGroups", name, {}, opts);
    const childOpts = { parent: this, dependsOn: args.dependsOn ?? [] };
    for (const policy of args.policies) {
      const groupId = args.clientGroupIds[policy.clientGroup];
      if (groupId === undefined) throw new Error(`bug: client group ${policy.clientGroup} is not declared`);
      new k8s.apiextensions.CustomResource(
        `${name}-${policy.resourceName}`,
        {
          apiVersion: SECURITY_GROUP_POLICY_API,
          kind: "SecurityGroupPolicy",
          metadata: { name: policy.name, namespace: policy.namespace, labels: policy.labels },
          spec: {
            podSelector: policy.podSelector,
            securityGroups: { groupIds: [groupId, policy.clusterSecurityGroupId] },
          },
        },
        childOpts,
      );
    }
    this.policyNames = args.policies.map((policy) => `${policy.namespace}/${policy.name}`);
    this.registerOutputs({ policyNames: this.policyNames });
  }
}
