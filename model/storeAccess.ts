/**
 * Least-privilege access to data stores: a store names its clients (a namespace, optionally the labels of
 * the pods in it that use the store), and its phase says whether only they reach it.
 *
 *   open      the store's group admits the cluster's pod ranges (the design's first phase). Declared
 *             clients already get their security group and its reference on the store, so pods can be
 *             restarted onto their own network interface before anything closes; the pod-range rules of a
 *             store with clients are no longer protected, so the next step may remove them.
 *   clients   the pod-range rules are gone: the store's group admits its clients' groups only, and the
 *             NetworkPolicy egress of every other pod no longer covers the store's subnets.
 *
 * A *client group* is one security group per distinct client (namespace and labels), shared by every store
 * that client uses, so a pod carries one group whatever it reaches. Its identity is its namespace and labels
 * and nothing else, so adding a store to a client changes rules, never the group.
 *
 * AWS facts the model relies on, with where they are documented:
 * - A SecurityGroupPolicy (vpcresources.k8s.aws/v1beta1) gives the pods it selects a branch network
 *   interface carrying only the groups it lists, not the node's; so every policy here also lists the
 *   cluster security group (https://docs.aws.amazon.com/eks/latest/userguide/sg-pods-example-deployment.html).
 * - Pods get their groups when they start: existing pods keep the node's until restarted (same page).
 * - Trunking needs ENABLE_POD_ENI=true on the VPC CNI, Linux nodes of a Nitro type the VPC resource
 *   controller lists as trunking-compatible, never the `t` family, never Windows or EKS Auto Mode
 *   (https://docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html).
 * - One SecurityGroupPolicy lists at most 5 groups; an interface holds 5 groups by default, 16 at most
 *   (https://github.com/aws/amazon-vpc-resource-controller-k8s, README).
 * - A rule may reference a group of a peered VPC in the same Region (with `account/sg-id` across accounts),
 *   never in another Region, and only once the peering is active
 *   (https://docs.aws.amazon.com/vpc/latest/peering/vpc-peering-security-groups.html). So a reference to a
 *   group across a peering names that peering (`peeredVpc`), and the component waits for its acceptance.
 * - `aws.vpc.SecurityGroupIngressRule`/`EgressRule` take that form as it is: the provider reads
 *   `referencedSecurityGroupId` as `[account/]sg-id` and sends the two parts as the UserId and GroupId of
 *   the rule's group pair (terraform-provider-aws, internal/service/ec2/vpc_security_group_ingress_rule.go;
 *   EC2 API UserIdGroupPair, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_UserIdGroupPair.html).
 */
import { overlaps } from "../core/cidr";
import { MANAGED_LABEL } from "../core/labels";
import { AREA_RULES } from "./areas";
import type { DataStoreConfig, SegmentationConfig, StoreClient } from "./config";

/** One security group for pods: the pods of one client, whatever stores it uses. */
export interface ClientGroup {
  /** Stable logical-name part: the namespace, then the labels when there are any. */
  key: string;
  namespace: string;
  podLabels: Record<string, string>;
  /** The stores this client uses, by name, sorted. */
  stores: string[];
}

/** `payments`, or `payments-app-api` for the pods of payments labelled app=api. */
export function clientKey(client: StoreClient): string {
  const labels = Object.entries(client.podLabels).map(([key, value]) => `${key}-${value}`);
  return [client.namespace, ...labels]
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/-$/, "");
}

/** Human wording of a client: `payments` or `payments pods with app=api`. */
export function clientText(client: StoreClient): string {
  const labels = Object.entries(client.podLabels).map(([key, value]) => `${key}=${value}`);
  return labels.length === 0 ? client.namespace : `${client.namespace} pods with ${labels.join(",")}`;
}

/** Stores that have declared clients: their AWS side is planned whatever the phase. */
export function storesWithClients<T extends { clients: readonly StoreClient[] }>(config: {
  dataStores: readonly T[];
}): T[] {
  return config.dataStores.filter((store) => store.clients.length > 0);
}

/** Stores in `clients` phase: only their clients reach them. */
export function closedStores(config: Pick<SegmentationConfig, "dataStores">): DataStoreConfig[] {
  return config.dataStores.filter((store) => store.phase === "clients");
}

/** Every client group of the estate, sorted by key. */
export function planClientGroups(config: {
  dataStores: readonly { name: string; clients: readonly StoreClient[] }[];
}): ClientGroup[] {
  const groups = new Map<string, ClientGroup>();
  for (const store of storesWithClients(config)) {
    for (const client of store.clients) {
      const key = clientKey(client);
      const group = groups.get(key) ?? { key, ...client, stores: [] };
      group.stores.push(store.name);
      groups.set(key, group);
    }
  }
  return [...groups.values()]
    .map((group) => ({ ...group, stores: [...new Set(group.stores)].sort() }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** True when every label of `selector` is on a pod labelled `labels` (an empty selector selects all). */
export function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** Whether a pod of `namespace` with `labels` is one of the store's clients. */
export function isClient(store: DataStoreConfig, namespace: string, labels: Record<string, string>): boolean {
  return store.clients.some(
    (client) => client.namespace === namespace && labelsMatch(client.podLabels, labels),
  );
}

/**
 * Groups a pod of `group` surely carries: its own and every group of its namespace whose labels it also
 * has. Each SecurityGroupPolicy that selects a pod adds its groups to the pod's interface.
 */
export function groupsOnPod(group: ClientGroup, groups: readonly ClientGroup[]): ClientGroup[] {
  return groups.filter(
    (other) => other.namespace === group.namespace && labelsMatch(other.podLabels, group.podLabels),
  );
}

/** Inbound rules the stack manages on a store's group: pod ranges while open, client groups once declared. */
export function storeInboundRules(store: DataStoreConfig, podRanges: number): number {
  const open = store.openFromCluster && store.phase === "open" ? podRanges : 0;
  const clients = new Set(store.clients.map(clientKey)).size;
  return store.ports.length * (open + clients);
}

/** Warnings said on every run: what a store's placement exposes that its rules cannot close. */
export function storeAccessWarnings(config: SegmentationConfig): string[] {
  const warnings: string[] = [];
  const first = storesWithClients(config)[0];
  if (first && !config.cluster.vpcCni) {
    warnings.push(
      `data store ${first.name} has clients, but this stack does not manage the VPC CNI add-on: unless it runs ` +
        "with ENABLE_POD_ENI=true, no pod gets its client security group and every client loses the store once " +
        "it is in clients phase. Set segmentation:cluster.vpcCni to let the stack manage it.",
    );
  }
  for (const store of config.dataStores) {
    for (const client of store.clients) {
      const ns = config.namespaces.find((n) => n.name === client.namespace);
      if (!ns || AREA_RULES[ns.area].egressToVpcs.includes(store.vpc)) continue;
      warnings.push(
        `data store ${store.name}: client ${clientText(client)} is in area ${ns.area}, whose pods may not reach VPC ${store.vpc}; ` +
          "it cannot use the store, and the stack refuses clients phase until it moves.",
      );
    }
    const inside = store.subnets.filter((subnet) => overlaps(subnet, config.cluster.cidrs));
    if (inside.length === 0) continue;
    warnings.push(
      store.phase === "clients"
        ? `data store ${store.name}: subnets ${inside.join(", ")} overlap the pod ranges (${config.cluster.cidrs.join(", ")}). ` +
            "The pods' egress to the pod ranges leaves those subnets out, so pods whose addresses fall in them " +
            "are unreachable by address from other namespaces; move the store out of the pod ranges."
        : `data store ${store.name}: subnets ${inside.join(", ")} overlap the pod ranges (${config.cluster.cidrs.join(", ")}). ` +
            "Every pod may send to the pod ranges, so every namespace of every area reaches the store whatever " +
            "its area's egress rules say; only its security group stands in the way. Move the store out of the " +
            "pod ranges, or put it in clients phase.",
    );
  }
  return warnings;
}

/** One client group in the cluster's VPC, with an outbound rule per store and port it uses. */
export interface ClientGroupSpec {
  resourceName: string;
  key: string;
  namespace: string;
  podLabels: Record<string, string>;
  vpcId: string;
  /** The group's name in AWS; its identity stays the logical name, so a new wording never replaces it. */
  name: string;
  description: string;
  tags: Record<string, string>;
  egress: {
    resourceName: string;
    store: string;
    /** `account/sg-id` when the store lives in another account (the peering guide's format). */
    referencedSecurityGroupId: string;
    /** The peered VPC the reference crosses (the store's), when it is not the cluster's own VPC. */
    peeredVpc?: string;
    ipProtocol: "tcp";
    fromPort: number;
    toPort: number;
    description: string;
  }[];
}

/** A store's inbound rule for one client group and port; the component resolves the group's id. */
export interface ClientRuleSpec {
  resourceName: string;
  securityGroupId: string;
  /** Key of the client group referenced, in `AwsSidePlan.clientGroups`. */
  clientGroup: string;
  /** Set when the store lives in another account than the cluster: the reference is `account/sg-id`. */
  referencedAccountId?: string;
  /** The peered VPC the reference crosses (the store's), when it is not the cluster's own VPC. */
  peeredVpc?: string;
  ipProtocol: "tcp";
  fromPort: number;
  toPort: number;
  description: string;
}

/** A SecurityGroupPolicy: the client's pods get their own interface with the client group and the cluster's. */
export interface SecurityGroupPolicySpec {
  resourceName: string;
  namespace: string;
  name: string;
  podSelector: { matchLabels: Record<string, string> };
  clientGroup: string;
  clusterSecurityGroupId: string;
  labels: Record<string, string>;
}

export const SECURITY_GROUP_POLICY_API = "vpcresources.k8s.aws/v1beta1";

/** The client groups of the estate, in the cluster's VPC. */
export function planClientGroupSpecs(config: SegmentationConfig): ClientGroupSpec[] {
  const clusterVpc = config.vpcs.find((vpc) => vpc.isClusterVpc);
  if (!clusterVpc) throw new Error("cluster VPC missing from a validated config");
  const storeByName = new Map(config.dataStores.map((store) => [store.name, store]));
  return planClientGroups(config).map((group) => ({
    resourceName: `client-${group.key}`,
    key: group.key,
    namespace: group.namespace,
    podLabels: group.podLabels,
    vpcId: clusterVpc.vpcId,
    name: `${config.cluster.name}-store-client-${group.key}`,
    description: `Pods of ${clientText(group)}, clients of ${group.stores.join(", ")}`,
    tags: { Name: `${config.cluster.name} store client ${clientText(group)}` },
    egress: group.stores.flatMap((name) => {
      const store = storeByName.get(name);
      if (!store) throw new Error(`store ${name} missing from a validated config`);
      const account = accountOfStore(config, store);
      return store.ports.map((port, portIndex) => ({
        resourceName: `${store.name}-port-${portIndex}`,
        store: store.name,
        referencedSecurityGroupId: account ? `${account}/${store.securityGroupId}` : store.securityGroupId,
        ...(store.vpc === clusterVpc.name ? {} : { peeredVpc: store.vpc }),
        ipProtocol: "tcp" as const,
        fromPort: port,
        toPort: port,
        description: `${clientText(group)} to ${store.name} (${store.kind}) on ${port}`,
      }));
    }),
  }));
}

/** Inbound rules on a store's group for its clients' groups, one per client and port. */
export function planClientRules(config: SegmentationConfig, store: DataStoreConfig): ClientRuleSpec[] {
  const crossAccount = accountOfStore(config, store) !== undefined;
  const clusterVpc = config.vpcs.find((vpc) => vpc.isClusterVpc);
  return store.clients.flatMap((client) =>
    store.ports.map((port, portIndex) => ({
      resourceName: `client-${clientKey(client)}-port-${portIndex}`,
      securityGroupId: store.securityGroupId,
      clientGroup: clientKey(client),
      ...(crossAccount && config.storeAccess.clusterAccountId
        ? { referencedAccountId: config.storeAccess.clusterAccountId }
        : {}),
      ...(store.vpc === clusterVpc?.name ? {} : { peeredVpc: store.vpc }),
      ipProtocol: "tcp" as const,
      fromPort: port,
      toPort: port,
      description: `${clientText(client)} (security group for pods) to ${store.name} (${store.kind}) on ${port}`,
    })),
  );
}

/** One SecurityGroupPolicy per client group, in the client's namespace. */
export function planSecurityGroupPolicies(config: SegmentationConfig): SecurityGroupPolicySpec[] {
  const clusterSecurityGroupId = config.storeAccess.clusterSecurityGroupId;
  const groups = planClientGroups(config);
  if (groups.length === 0) return [];
  if (!clusterSecurityGroupId) throw new Error("cluster security group missing from a validated config");
  return groups.map((group) => ({
    resourceName: `sgp-${group.key}`,
    namespace: group.namespace,
    name: `netseg-store-client-${group.key}`.slice(0, 253),
    podSelector: { matchLabels: group.podLabels },
    clientGroup: group.key,
    clusterSecurityGroupId,
    labels: { [MANAGED_LABEL]: "true" },
  }));
}

/** The account a store's group lives in when it is not the cluster's: rules then reference `account/sg`. */
function accountOfStore(config: SegmentationConfig, store: DataStoreConfig): string | undefined {
  const clusterVpc = config.vpcs.find((vpc) => vpc.isClusterVpc);
  const storeVpc = config.vpcs.find((vpc) => vpc.name === store.vpc);
  if (!storeVpc || storeVpc.account === clusterVpc?.account) return undefined;
  return storeVpc.accountId;
}
