/**
 * The AWS side of the stack as plain data: peering with routes on both sides, the data-store openings, the
 * NAT allowlists on legacy load balancers, and the VPC CNI add-on that switches NetworkPolicy enforcement on.
 * Components only loop over what this file plans (DESIGN.md section 3).
 *
 * Where things live: every AWS resource belongs to a *site*, an account and a region. The stack's own
 * account in `aws:region` is the home site and uses the default provider; every other site gets exactly one
 * explicit provider (an assumed role for another account). A site's name is its account's config key and
 * its region ("legacy-eu-west-1"), or the region alone for the stack's own account ("eu-west-1").
 *
 * Names: every logical name says what the resource connects (peer VPC, route table, store, load balancer)
 * and never holds a value that may change (CIDR, port): a range or a port is a stable index into the
 * normalised (sorted, deduplicated) list, so changing a pod range or a store's port updates the resource
 * in place instead of renaming it. Entries themselves are keyed by config name, so re-ordering the stack
 * file plans the same names. `previousResourceNames` holds the names earlier versions gave the same
 * resource (they embedded the CIDR and port); components declare them as aliases, so a stack deployed with
 * them adopts the new names without replacing anything.
 */
import { sortCidrs } from "../core/cidr";
import type {
  AccountConfig,
  DataStoreConfig,
  LegacyLoadBalancerConfig,
  SegmentationConfig,
  VpcConfig,
} from "./config";
import {
  type ClientGroupSpec,
  type ClientRuleSpec,
  planClientGroupSpecs,
  planClientRules,
  storeAccessWarnings,
  storesWithClients,
} from "./storeAccess";

/** An account and region where resources are managed; one provider each. */
export interface AwsSite {
  name: string;
  /** Key in `segmentation:accounts`; absent for the stack's own account. */
  account?: string;
  accountId?: string;
  roleArn?: string;
  region: string;
  /** The stack's own account in `aws:region`, managed through the default provider. */
  home: boolean;
}

/** An explicit AWS provider for a site other than home. */
export interface ProviderSpec {
  resourceName: string;
  site: string;
  region: string;
  /** The role assumed in the site's account; absent for the stack's own account in another region. */
  roleArn?: string;
  /** Refuses to run when the assumed role lands in any other account. */
  accountId?: string;
}

/** What every renamed resource carries: the names it had before, to alias. */
export interface Renamed {
  /** Earlier logical names of this same resource, as suffixes like `resourceName`. */
  previousResourceNames: string[];
}

export interface RouteSpec extends Renamed {
  resourceName: string;
  routeTableId: string;
  destinationCidrBlock: string;
}

export interface PeeringSpec {
  /** Name of the requester half (the cluster VPC's side). */
  resourceName: string;
  /** Name of the accepter half (the peer VPC's side). */
  accepterResourceName: string;
  /** The peer VPC's key in `segmentation:vpcs`. */
  vpc: string;
  requesterSite: string;
  accepterSite: string;
  connection: {
    vpcId: string;
    peerVpcId: string;
    /** Set when the peer is in another account. */
    peerOwnerId?: string;
    /** Set when the peer is in another region. */
    peerRegion?: string;
    /** AWS accepts on creation only within one account and region. */
    autoAccept: boolean;
    tags: Record<string, string>;
  };
  /** The acceptance in the peer's site; absent when the connection auto-accepts. */
  accept?: { tags: Record<string, string> };
  /** Private DNS resolution, set once the peering is active. */
  dns: { accepter: { allowRemoteVpcDnsResolution: boolean } };
  /** In the cluster VPC's route tables, to the peer's CIDRs. */
  requesterRoutes: RouteSpec[];
  /** In the peer VPC's route tables, back to the cluster's CIDRs. */
  accepterRoutes: RouteSpec[];
}

export interface IngressRuleSpec extends Renamed {
  resourceName: string;
  securityGroupId: string;
  ipProtocol: "tcp";
  fromPort: number;
  toPort: number;
  /** Why the rule exists, shown in the AWS console next to it. */
  description: string;
}

export interface DataStoreAccessSpec {
  resourceName: string;
  store: string;
  site: string;
  /**
   * One rule per cluster CIDR and port while the store is open; none in clients phase. Protected until the
   * store declares clients: from then on the client rules carry its access and these may go.
   */
  rules: (IngressRuleSpec & { cidrIpv4: string; protect: boolean })[];
  /** One rule per client group and port, referencing the group (model/storeAccess.ts). */
  clientRules: ClientRuleSpec[];
}

export interface NatAllowlistSpec {
  resourceName: string;
  site: string;
  prefixList: {
    name: string;
    maxEntries: number;
    entries: { cidr: string; description: string }[];
    tags: Record<string, string>;
  };
  /** One rule per load balancer group and port, each referencing this site's prefix list. */
  rules: (IngressRuleSpec & { loadBalancer: string })[];
}

export interface VpcCniSpec {
  resourceName: string;
  clusterName: string;
  clusterVersion: string;
  addonVersion?: string;
  enableNetworkPolicy: true;
  /** Trunk and branch interfaces, for security groups for pods; on only when a store has clients. */
  enablePodEni: boolean;
  configurationValues: { env: Record<string, string> };
}

/** A legacy load balancer group's inbound rules against its quota, as the plan leaves them. */
export interface GroupRuleCount {
  securityGroupId: string;
  existing: number;
  planned: number;
  total: number;
  quota: number;
}

export interface AwsSidePlan {
  providers: ProviderSpec[];
  peerings: PeeringSpec[];
  dataStores: DataStoreAccessSpec[];
  natAllowlists: NatAllowlistSpec[];
  /** Security groups for the stores' clients' pods, in the cluster's VPC. */
  clientGroups: ClientGroupSpec[];
  /** Absent when the stack does not manage the add-on. */
  vpcCni?: VpcCniSpec;
  /** One sentence on whether NetworkPolicies are enforced, for the stack outputs. */
  enforcement: string;
  /** Said out loud on every `pulumi up` and preview. */
  warnings: string[];
  /** Per legacy load balancer (by name). */
  inboundRuleCounts: Record<string, GroupRuleCount>;
}

/** Room left in the NAT prefix list by default: one more NAT gateway with a secondary address. */
export const NAT_PREFIX_LIST_HEADROOM = 2;

/**
 * The NAT prefix list's size. AWS counts a referencing rule as `maxEntries` rules whatever the list holds,
 * so headroom costs quota on every group; it buys adding a NAT gateway without resizing a list other
 * groups may reference too.
 */
export function natPrefixListMaxEntries(natAddresses: number, configured?: number): number {
  return configured ?? natAddresses + NAT_PREFIX_LIST_HEADROOM;
}

/** Inbound rules a legacy group receives from the NAT allowlist: one rule per port, each as big as the list. */
export function natAllowlistRuleCount(ports: number, maxEntries: number): number {
  return ports * maxEntries;
}

export const ENFORCEMENT_NOT_MANAGED =
  "WARNING: this stack does not manage the VPC CNI add-on, so nothing here switches NetworkPolicy " +
  "enforcement on. Unless the add-on runs with enableNetworkPolicy, Kubernetes accepts every policy and " +
  "enforces none. Set segmentation:cluster.vpcCni to let the stack manage it.";

export function planAwsSide(config: SegmentationConfig): AwsSidePlan {
  const clusterVpc = config.vpcs.find((vpc) => vpc.isClusterVpc);
  if (!clusterVpc) throw new Error(`cluster VPC "${config.cluster.vpc}" is missing from a validated config`);
  const vpcByName = new Map(config.vpcs.map((vpc) => [vpc.name, vpc]));
  const siteOfVpc = (name: string): AwsSite => {
    const vpc = vpcByName.get(name);
    if (!vpc) throw new Error(`VPC "${name}" is missing from a validated config`);
    return siteOf(vpc, config);
  };
  const peers = config.vpcs.filter((vpc) => vpc.peered);
  const openStores = config.dataStores.filter((store) => store.openFromCluster);
  const vpcCni = planVpcCni(config, peers);
  return {
    providers: planProviders([
      siteOf(clusterVpc, config),
      ...peers.map((peer) => siteOf(peer, config)),
      ...openStores.map((store) => siteOfVpc(store.vpc)),
      ...config.legacyLoadBalancers.map((lb) => siteOfVpc(lb.vpc)),
    ]),
    peerings: peers.map((peer) => planPeering(config, clusterVpc, peer)),
    dataStores: openStores.map((store) => planDataStoreAccess(config, store, siteOfVpc(store.vpc))),
    natAllowlists: planNatAllowlists(config, (lb) => siteOfVpc(lb.vpc).name),
    clientGroups: planClientGroupSpecs(config),
    ...(vpcCni ? { vpcCni } : {}),
    enforcement: vpcCni
      ? `on: the stack manages the vpc-cni add-on with enableNetworkPolicy (${config.cluster.vpcCni?.enforcingMode} mode)`
      : ENFORCEMENT_NOT_MANAGED,
    warnings: [...(vpcCni ? [] : [ENFORCEMENT_NOT_MANAGED]), ...storeAccessWarnings(config)],
    inboundRuleCounts: planInboundRuleCounts(config),
  };
}

/** One provider per site in use, but none for home: the default provider serves it. */
function planProviders(sites: readonly AwsSite[]): ProviderSpec[] {
  const distinct = new Map(sites.filter((s) => !s.home).map((s) => [s.name, s]));
  return [...distinct.values()]
    .sort((a, b) => compare(a.name, b.name))
    .map((s) => ({
      resourceName: `provider-${s.name}`,
      site: s.name,
      region: s.region,
      ...(s.roleArn ? { roleArn: s.roleArn } : {}),
      ...(s.accountId ? { accountId: s.accountId } : {}),
    }));
}

function planPeering(config: SegmentationConfig, clusterVpc: VpcConfig, peer: VpcConfig): PeeringSpec {
  const requesterSite = siteOf(clusterVpc, config);
  const accepterSite = siteOf(peer, config);
  const sameSite = requesterSite.name === accepterSite.name;
  const name = `${config.cluster.name} ${clusterVpc.name} to ${peer.name}`;
  const resourceName = `peering-${peer.name}`;
  return {
    resourceName,
    accepterResourceName: `${resourceName}-accepter`,
    vpc: peer.name,
    requesterSite: requesterSite.name,
    accepterSite: accepterSite.name,
    connection: {
      vpcId: clusterVpc.vpcId,
      peerVpcId: peer.vpcId,
      ...(peer.account !== clusterVpc.account && peer.accountId ? { peerOwnerId: peer.accountId } : {}),
      ...(peer.region !== clusterVpc.region ? { peerRegion: peer.region } : {}),
      autoAccept: sameSite,
      tags: { Name: name },
    },
    ...(sameSite ? {} : { accept: { tags: { Name: name } } }),
    // The cluster resolves the peer's private names (a store endpoint that also has a public name resolves
    // to its private address). The other direction is not needed: the routes back carry only pod traffic.
    dns: { accepter: { allowRemoteVpcDnsResolution: true } },
    requesterRoutes: routes(clusterVpc.routeTableIds, peer.cidrs, "peer-range"),
    accepterRoutes: routes(peer.routeTableIds, config.cluster.cidrs, "pod-range"),
  };
}

/** One route per route table and destination, named by the table and the destination's index. */
function routes(routeTableIds: readonly string[], cidrs: readonly string[], to: string): RouteSpec[] {
  return routeTableIds.flatMap((routeTableId) =>
    cidrs.map((cidr, index) => ({
      resourceName: `${routeTableId}-${to}-${index}`,
      previousResourceNames: [`${routeTableId}-${cidr}`],
      routeTableId,
      destinationCidrBlock: cidr,
    })),
  );
}

function planDataStoreAccess(
  config: SegmentationConfig,
  store: DataStoreConfig,
  site: AwsSite,
): DataStoreAccessSpec {
  return {
    resourceName: `store-${store.name}`,
    store: store.name,
    site: site.name,
    rules:
      store.phase === "clients"
        ? []
        : store.ports.flatMap((port, portIndex) =>
            config.cluster.cidrs.map((cidr, cidrIndex) => ({
              resourceName: `pod-range-${cidrIndex}-port-${portIndex}`,
              previousResourceNames: [`${port}-${cidr}`],
              securityGroupId: store.securityGroupId,
              ipProtocol: "tcp" as const,
              fromPort: port,
              toPort: port,
              cidrIpv4: cidr,
              description: `${config.cluster.name} pods (${cidr}) to ${store.name} (${store.kind}) on ${port}`,
              protect: store.clients.length === 0,
            })),
          ),
    clientRules: planClientRules(config, store),
  };
}

/** One allowlist per site that has legacy load balancers: a prefix list belongs to one account and region. */
function planNatAllowlists(
  config: SegmentationConfig,
  siteNameOf: (lb: LegacyLoadBalancerConfig) => string,
): NatAllowlistSpec[] {
  const { cluster } = config;
  const sites = [...new Set(config.legacyLoadBalancers.map(siteNameOf))].sort();
  return sites.map((site) => ({
    resourceName: `nat-${site}`,
    site,
    prefixList: {
      name: `${cluster.name}-nat-gateways`,
      maxEntries: natPrefixListMaxEntries(cluster.natGatewayIps.length, cluster.natPrefixListMaxEntries),
      entries: cluster.natGatewayIps.map((ip) => ({
        cidr: `${ip}/32`,
        description: `${cluster.name} NAT gateway`,
      })),
      tags: { Name: `${cluster.name} NAT gateways` },
    },
    rules: config.legacyLoadBalancers
      .filter((lb) => siteNameOf(lb) === site)
      .flatMap((lb) =>
        lb.ports.map((port, portIndex) => ({
          resourceName: `${lb.name}-port-${portIndex}`,
          previousResourceNames: [`${lb.name}-${port}`],
          loadBalancer: lb.name,
          securityGroupId: lb.securityGroupId,
          ipProtocol: "tcp" as const,
          fromPort: port,
          toPort: port,
          description: `${cluster.name} NAT gateways to legacy load balancer ${lb.name} (${lb.kind}) on ${port}`,
        })),
      ),
  }));
}

function planInboundRuleCounts(config: SegmentationConfig): Record<string, GroupRuleCount> {
  const { cluster } = config;
  const maxEntries = natPrefixListMaxEntries(cluster.natGatewayIps.length, cluster.natPrefixListMaxEntries);
  const counts: Record<string, GroupRuleCount> = {};
  for (const lb of config.legacyLoadBalancers) {
    const planned = natAllowlistRuleCount(lb.ports.length, maxEntries);
    const total = lb.existingInboundRules + planned;
    // The config checks refuse an overflowing group before planning; reaching this is a bug.
    if (total > lb.rulesQuota) throw new Error(`group of ${lb.name} is over its quota after validation`);
    counts[lb.name] = {
      securityGroupId: lb.securityGroupId,
      existing: lb.existingInboundRules,
      planned,
      total,
      quota: lb.rulesQuota,
    };
  }
  return counts;
}

function planVpcCni(config: SegmentationConfig, peers: readonly VpcConfig[]): VpcCniSpec | undefined {
  const cni = config.cluster.vpcCni;
  if (!cni) return undefined;
  const peerCidrs = sortCidrs(peers.flatMap((vpc) => vpc.cidrs));
  const podEni = storesWithClients(config).length > 0;
  return {
    resourceName: "vpc-cni",
    clusterName: config.cluster.name,
    clusterVersion: cni.kubernetesVersion,
    ...(cni.addonVersion ? { addonVersion: cni.addonVersion } : {}),
    enableNetworkPolicy: true,
    enablePodEni: podEni,
    configurationValues: {
      env: {
        NETWORK_POLICY_ENFORCING_MODE: cni.enforcingMode,
        // Standard mode keeps NetworkPolicies enforced on pods with their own groups and lets kubelet probes
        // and NodeLocal DNSCache on the same node through; strict mode would also turn SNAT off for them
        // (https://docs.aws.amazon.com/eks/latest/userguide/security-groups-pods-deployment.html). Pod traffic
        // to the peers keeps its address (below), so it leaves by the pod's interface and its groups apply.
        ...(podEni ? { POD_SECURITY_GROUP_ENFORCING_MODE: "standard" } : {}),
        // By default the CNI rewrites the source of pod traffic leaving the VPC, peered VPCs included, to
        // the node's address. Keeping pod addresses towards the peers is what makes the data-store rules
        // on the cluster's pod CIDRs and the routes back to those CIDRs match what actually arrives.
        ...(peerCidrs.length > 0 ? { AWS_VPC_K8S_CNI_EXCLUDE_SNAT_CIDRS: peerCidrs.join(",") } : {}),
      },
    },
  };
}

/** The site a VPC's resources are managed in. */
export function siteOf(vpc: VpcConfig, config: Pick<SegmentationConfig, "region" | "accounts">): AwsSite {
  const account: AccountConfig | undefined = config.accounts.find((a) => a.name === vpc.account);
  return {
    name: siteName(vpc.account, vpc.region),
    ...(account ? { account: account.name, accountId: account.accountId, roleArn: account.roleArn } : {}),
    region: vpc.region,
    home: account === undefined && vpc.region === config.region,
  };
}

export function siteName(account: string | undefined, region: string): string {
  return account === undefined ? region : `${account}-${region}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
