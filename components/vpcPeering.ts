import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PeeringSpec } from "../model/aws";
import { aliasesOf } from "./aliases";

export interface VpcPeeringArgs {
  /** The planned peering, from `planAwsSide()`; this component declares the cluster VPC's half of it. */
  peering: PeeringSpec;
}

/**
 * The requester half of a VPC peering, in the cluster's account: the connection and the routes from the
 * cluster VPC's route tables to the peer's CIDRs. `VpcPeeringAccepter` declares the peer VPC's half.
 */
export class VpcPeering extends pulumi.ComponentResource {
  /** The peering connection's id (`pcx-…`). */
  public readonly peeringConnectionId: pulumi.Output<string>;

  constructor(name: string, args: VpcPeeringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:aws:VpcPeering", name, {}, opts);
    // The connection is protected rather than retained on delete: dropping a peering from config must be a
    // deliberate unprotect, and a retained one would keep traffic flowing after it left the stack.
    const childOpts = { parent: this };
    const { peering } = args;
    const connection = new aws.ec2.VpcPeeringConnection(`${name}-connection`, peering.connection, {
      ...childOpts,
      protect: true,
    });
    for (const route of peering.requesterRoutes) {
      new aws.ec2.Route(
        `${name}-${route.resourceName}`,
        {
          routeTableId: route.routeTableId,
          destinationCidrBlock: route.destinationCidrBlock,
          vpcPeeringConnectionId: connection.id,
        },
        // Not protected: AWS cannot change a route's destination in place, so a protected route could never
        // follow a change of the ranges it points at. Pulumi creates the new route before deleting the old.
        { ...childOpts, aliases: aliasesOf(name, route) },
      );
    }
    this.peeringConnectionId = connection.id;
    this.registerOutputs({ peeringConnectionId: this.peeringConnectionId });
  }
}
