import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DataStoreAccessSpec } from "../model/aws";
import { aliasesOf } from "./aliases";

export interface DataStoreAccessArgs {
  /** The planned openings of one data store, from `planAwsSide()`. */
  access: DataStoreAccessSpec;
}

/**
 * Opens one data store's security group to the cluster's CIDRs: one standalone rule per CIDR and port, so
 * each can change alone. The group must not also carry inline rules managed elsewhere, or the two owners
 * overwrite each other's rules.
 */
export class DataStoreAccess extends pulumi.ComponentResource {
  /** Ids of the rules, in plan order. */
  public readonly securityGroupRuleIds: pulumi.Output<string[]>;

  constructor(name: string, args: DataStoreAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:aws:DataStoreAccess", name, {}, opts);
    // Protected: losing one of these cuts the cluster off a database.
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
          { ...childOpts, aliases: aliasesOf(name, rule) },
        ),
    );
    this.securityGroupRuleIds = pulumi.all(rules.map((rule) => rule.id));
    this.registerOutputs({ securityGroupRuleIds: this.securityGroupRuleIds });
  }
}
