import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClientGroupSpec } from "../model/storeAccess";

export interface StoreClientGroupArgs {
  /** The planned group of one store client, from `planAwsSide()`. */
  group: ClientGroupSpec;
  /**
   * The peerings by peer VPC (their accepter halves): a rule referencing a store's group across one waits
   * until it is active, as AWS requires. @default {}
   */
  peerings?: Record<string, pulumi.Resource>;
}

/**
 * The security group the pods of one data-store client carry (through a SecurityGroupPolicy), with one
 * outbound rule per store and port it uses. The stores' own rules reference it; the rules live apart from
 * the group so each changes alone.
 */
export class StoreClientGroup extends pulumi.ComponentResource {
  /** The group's id, which the stores' inbound rules and the SecurityGroupPolicy name. */
  public readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: StoreClientGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:aws:StoreClientGroup", name, {}, opts);
    const { group } = args;
    // Protected: the stores' rules reference it, and deleting it cuts every one of its pods off its stores.
    const childOpts = { parent: this, protect: true };
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-group`,
      { vpcId: group.vpcId, name: group.name, description: group.description, tags: group.tags },
      childOpts,
    );
    for (const rule of group.egress) {
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-${rule.resourceName}`,
        {
          securityGroupId: securityGroup.id,
          referencedSecurityGroupId: rule.referencedSecurityGroupId,
          ipProtocol: rule.ipProtocol,
          fromPort: rule.fromPort,
          toPort: rule.toPort,
          description: rule.description,
        },
        { ...childOpts, dependsOn: peeringOf(args.peerings, rule.peeredVpc) },
      );
    }
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ securityGroupId: this.securityGroupId });
  }
}

/**
 * The peering a group reference crosses, to wait for: AWS accepts a reference to a peer VPC's group only
 * over an active peering (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html).
 */
export function peeringOf(
  peerings: Record<string, pulumi.Resource> | undefined,
  vpc: string | undefined,
): pulumi.Resource[] {
  if (vpc === undefined) return [];
  const peering = peerings?.[vpc];
  if (!peering) throw new Error(`bug: the peering with VPC ${vpc} is not declared`);
  return [peering];
}
