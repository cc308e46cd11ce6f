import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PeeringSpec } from "../model/aws";
import { aliasesOf } from "./aliases";

export interface VpcPeeringAccepterArgs {
  /** The planned peering, from `planAwsSide()`; this component declares the peer VPC's half of it. */
  peering: PeeringSpec;
  /** The connection the requester half created. */
  peeringConnectionId: pulumi.Input<string>;
}

/**
 * The accepter half of a VPC peering, managed in the peer VPC's account and region (through the provider in
 * `opts`): the acceptance when the connection cannot auto-accept, private DNS resolution, and the routes
 * back to the cluster's CIDRs in the peer's route tables.
 */
export class VpcPeeringAccepter extends pulumi.ComponentResource {
  /** The peering connection's id, known once it is active. */
  public readonly peeringConnectionId: pulumi.Output<string>;

  constructor(name: string, args: VpcPeeringAccepterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:aws:VpcPeeringAccepter", name, {}, opts);
    const childOpts = { parent: this };
    const { peering } = args;
    const accepted = peering.accept
      ? [
          new aws.ec2.VpcPeeringConnectionAccepter(
            `${name}-accept`,
            { vpcPeeringConnectionId: args.peeringConnectionId, autoAccept: true, tags: peering.accept.tags },
            { ...childOpts, protect: true },
          ),
        ]
      : [];
    // Everything below waits for the acceptance: AWS refuses peering options until the peering is active.
    this.peeringConnectionId = accepted[0]?.vpcPeeringConnectionId ?? pulumi.output(args.peeringConnectionId);
    new aws.ec2.PeeringConnectionOptions(
      `${name}-dns`,
      { vpcPeeringConnectionId: this.peeringConnectionId, accepter: peering.dns.accepter },
      { ...childOpts, dependsOn: accepted },
    );
    for (const route of peering.accepterRoutes) {
      new aws.ec2.Route(
        `${name}-${route.resourceName}`,
        {
          routeTableId: route.routeTableId,
          destinationCidrBlock: route.destinationCidrBlock,
          vpcPeeringConnectionId: this.peeringConnectionId,
        },
        // Not protected, like the requester's routes: a changed pod range must be able to move its route.
        { ...childOpts, aliases: aliasesOf(name, route) },
      );
    }
    this.registerOutputs({ peeringConnectionId: this.peeringConnectionId });
  }
}
