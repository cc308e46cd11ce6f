import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NatAllowlistSpec } from "../model/aws";
import { aliasesOf } from "./aliases";

export interface NatAllowlistArgs {
  /** The planned allowlist of one account and region, from `planAwsSide()`. */
  allowlist: NatAllowlistSpec;
}

/**
 * The cluster's NAT gateway addresses in one account and region: a managed prefix list of them, and one
 * rule per legacy load balancer group and port that references it. A prefix list belongs to its account
 * and region, so each site with legacy load balancers gets its own.
 */
export class NatAllowlist extends pulumi.ComponentResource {
  /** The prefix list's id (`pl-…`). */
  public readonly prefixListId: pulumi.Output<string>;

  constructor(name: string, args: NatAllowlistArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:aws:NatAllowlist", name, {}, opts);
    const childOpts = { parent: this };
    const { prefixList, rules } = args.allowlist;
    const list = new aws.ec2.ManagedPrefixList(
      `${name}-prefix-list`,
      {
        addressFamily: "IPv4",
        name: prefixList.name,
        maxEntries: prefixList.maxEntries,
        entries: prefixList.entries,
        tags: prefixList.tags,
      },
      childOpts,
    );
    for (const rule of rules) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-${rule.resourceName}`,
        {
          securityGroupId: rule.securityGroupId,
          ipProtocol: rule.ipProtocol,
          fromPort: rule.fromPort,
          toPort: rule.toPort,
          prefixListId: list.id,
          description: rule.description,
        },
        { ...childOpts, aliases: aliasesOf(name, rule) },
      );
    }
    this.prefixListId = list.id;
    this.registerOutputs({ prefixListId: this.prefixListId });
  }
}
