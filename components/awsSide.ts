import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as pulumi from "@pulumi/pulumi";
import type { AwsSidePlan, GroupRuleCount } from "../model/aws";
import { DataStoreAccess } from "./dataStoreAccess";
import { NatAllowlist } from "./natAllowlist";
import { StoreClientGroup } from "./storeClientGroup";
import { VpcPeering } from "./vpcPeering";
import { VpcPeeringAccepter } from "./vpcPeeringAccepter";

export interface AwsSideArgs {
  /** The planned AWS side, from `planAwsSide()`. */
  plan: AwsSidePlan;
}

/**
 * The AWS side of the segmentation: peerings, data-store openings, NAT allowlists and the VPC CNI add-on.
 * Resources of the stack's own account and region use the default provider; each other account or region
 * gets one provider here, handed to the components that live there.
 */
export class AwsSide extends pulumi.ComponentResource {
  /** Peering connection id per peer VPC name. */
  public readonly peeringConnectionIds: pulumi.Output<Record<string, string>>;
  /** NAT prefix list id per site (account and region). */
  public readonly natPrefixListIds: pulumi.Output<Record<string, string>>;
  /** Inbound rules per legacy load balancer group once the allowlist is in, against the group's quota. */
  public readonly inboundRuleCounts: Record<string, GroupRuleCount>;
  /** Whether NetworkPolicies are enforced, in one sentence. */
  public readonly networkPolicyEnforcement: string;
  /** The VPC CNI add-on when the stack manages it: NetworkPolicies should wait for it. */
  public readonly vpcCni: pulumi.Resource[];
  /** Security group id per store client (key of `plan.clientGroups`), for the SecurityGroupPolicies. */
  public readonly clientGroupIds: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: AwsSideArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:aws:AwsSide", name, {}, opts);
    const { plan } = args;
    const providers = new Map(
      plan.providers.map((spec) => [
        spec.site,
        new aws.Provider(
          `${name}-${spec.resourceName}`,
          {
            region: spec.region,
            ...(spec.roleArn ? { assumeRoles: [{ roleArn: spec.roleArn }] } : {}),
            ...(spec.accountId ? { allowedAccountIds: [spec.accountId] } : {}),
          },
          { parent: this },
        ),
      ]),
    );
    const at = (site: string): pulumi.ComponentResourceOptions => {
      const provider = providers.get(site);
      return provider ? { parent: this, providers: { aws: provider } } : { parent: this };
    };

    const peeringIds: Record<string, pulumi.Output<string>> = {};
    // Each peering's accepter half, by peer VPC: a rule referencing a group across it waits for it.
    const peerings: Record<string, pulumi.Resource> = {};
    for (const peering of plan.peerings) {
      const requester = new VpcPeering(
        `${name}-${peering.resourceName}`,
        { peering },
        at(peering.requesterSite),
      );
      peerings[peering.vpc] = new VpcPeeringAccepter(
        `${name}-${peering.accepterResourceName}`,
        { peering, peeringConnectionId: requester.peeringConnectionId },
        at(peering.accepterSite),
      );
      peeringIds[peering.vpc] = requester.peeringConnectionId;
    }
    const clientGroupIds: Record<string, pulumi.Output<string>> = {};
    for (const group of plan.clientGroups) {
      clientGroupIds[group.key] = new StoreClientGroup(
        `${name}-${group.resourceName}`,
        { group, peerings },
        { parent: this },
      ).securityGroupId;
    }
    for (const access of plan.dataStores) {
      new DataStoreAccess(
        `${name}-${access.resourceName}`,
        { access, clientGroupIds, peerings },
        at(access.site),
      );
    }
    const prefixListIds: Record<string, pulumi.Output<string>> = {};
    for (const allowlist of plan.natAllowlists) {
      const nat = new NatAllowlist(`${name}-${allowlist.resourceName}`, { allowlist }, at(allowlist.site));
      prefixListIds[allowlist.site] = nat.prefixListId;
    }
    this.vpcCni = (plan.vpcCni ? [plan.vpcCni] : []).map(
      (spec) =>
        new eks.VpcCniAddon(
          `${name}-${spec.resourceName}`,
          {
            clusterName: spec.clusterName,
            clusterVersion: spec.clusterVersion,
            ...(spec.addonVersion ? { addonVersion: spec.addonVersion } : {}),
            enableNetworkPolicy: spec.enableNetworkPolicy,
            ...(spec.enablePodEni ? { enablePodEni: true } : {}),
            configurationValues: spec.configurationValues,
          },
          { parent: this },
        ),
    );
    for (const warning of plan.warnings) pulumi.log.warn(warning, this);

    this.clientGroupIds = clientGroupIds;
    this.peeringConnectionIds = pulumi.all(peeringIds);
    this.natPrefixListIds = pulumi.all(prefixListIds);
    this.inboundRuleCounts = plan.inboundRuleCounts;
    this.networkPolicyEnforcement = plan.enforcement;
    this.registerOutputs({
      peeringConnectionIds: this.peeringConnectionIds,
      natPrefixListIds: this.natPrefixListIds,
      inboundRuleCounts: this.inboundRuleCounts,
      networkPolicyEnforcement: this.networkPolicyEnforcement,
    });
  }
}
