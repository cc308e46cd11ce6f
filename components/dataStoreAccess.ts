import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DataStoreAccessSpec } from "../model/aws";
import { aliasesOf } from "./aliases";
import { peeringOf } from "./storeClientGroup";

export interface DataStoreAccessArgs {
  /** The planned openings of one data store, from `planAwsSide()`. */
  access: DataStoreAccessSpec;
  /** Ids of the client groups by key, which the client rules reference. @default {} */
  clientGroupIds?: Record<string, pulumi.Input<string>>;
  /** The peerings by peer VPC: a client rule across one waits until it is active. @default {} */
  peerings?: Record<string, pulumi.Resource>;
}

/**
 * Opens one data store's security group to the cluster's CIDRs while it is open, and to its clients' groups
 * once it declares clients: one standalone rule per CIDR or client and port, so each can change alone. The
 * group must not also carry inline rules managed elsewhere, or the two owners overwrite each other's rules.
 */
export class DataStoreAccess extends pulumi.ComponentResource {
  /** Ids of the rules, in plan order. */
  public readonly securityGroupRuleIds: pulumi.Output<string[]>;

  constructor(name: string, args: DataStoreAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:aws:DataStoreAccess", name, {}, opts);
    // Protected: losing one of these cuts the cluster off a database. A pod-range rule of a store with
    // clients is not: the client rules carry the access, and moving to clients phase removes it.
    const childOpts = { parent: this, protect: true };
    const rules = args.access.rules.map(
      (rule) =>
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-${rule.resourceName}`,
          {
            securityGroupId: rule.securityGroupId,
            ipProtocol: rule.ipProtocol,
            fromPort: rule.fromPort,
            toPort: rule.toPort,
            cidrIpv4: rule.cidrIpv4,
            description: rule.description,
          },
          { ...childOpts, protect: rule.protect, aliases: aliasesOf(name, rule) },
        ),
    );
    const clientRules = args.access.clientRules.map((rule) => {
      const groupId = args.clientGroupIds?.[rule.clientGroup];
      if (groupId === undefined) throw new Error(`bug: client group ${rule.clientGroup} is not declared`);
      return new aws.vpc.SecurityGroupIngressRule(
        `${name}-${rule.resourceName}`,
        {
          securityGroupId: rule.securityGroupId,
          // From another account the client group is `<account>/<group>`, the form the peering guide gives
          // for a group of another account in the same Region; the provider sends the two parts as the rule's
          // UserId and GroupId (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html).
          referencedSecurityGroupId: rule.referencedAccountId
            ? pulumi.interpolate`${rule.referencedAccountId}/${groupId}`
            : groupId,
          ipProtocol: rule.ipProtocol,
          fromPort: rule.fromPort,
          toPort: rule.toPort,
          description: rule.description,
        },
        { ...childOpts, dependsOn: peeringOf(args.peerings, rule.peeredVpc) },
      );
    });
    this.securityGroupRuleIds = pulumi.all([...rules, ...clientRules].map((rule) => rule.id));
    this.registerOutputs({ securityGroupRuleIds: this.securityGroupRuleIds });
  }
}
