/**
 * Config checks for least-privilege store access (model/storeAccess.ts), run with every other check before
 * any resource is declared (registered in `validate.ts`). What AWS would refuse at deploy time (a group
 * reference across Regions, an instance type without trunking, a full group) is refused here instead.
 */
import { contains, overlaps } from "../core/cidr";
import { AREA_RULES } from "./areas";
import type { ParsedSections, StoreClient } from "./config";
import type { ConfigIssue } from "./issues";
import type { ConfigKey, RawSection } from "./schema";
import { clientKey, clientText, groupsOnPod, planClientGroups } from "./storeAccess";
import { suggestion } from "./zodIssues";

type Sections = Required<ParsedSections>;
type RawStore = RawSection<"dataStores">[number];

export const STORE_CHECKS: readonly {
  needs: readonly ConfigKey[];
  run(sections: Sections): ConfigIssue[];
}[] = [
  { needs: ["dataStores", "namespaces"], run: storeClientsExist },
  { needs: ["dataStores"], run: storesInClientsPhaseHaveClients },
  { needs: ["dataStores", "vpcs", "cluster"], run: storeSubnetsLieInTheirVpc },
  { needs: ["dataStores", "cluster", "vpcs", "accounts", "storeAccess"], run: clientGroupsCanBeReferenced },
  { needs: ["dataStores", "cluster"], run: storeGroupsFitTheirQuota },
  { needs: ["dataStores", "storeAccess"], run: clientGroupsFitTheirQuotas },
  { needs: ["storeAccess"], run: nodesSupportTrunking },
  { needs: ["dataStores", "namespaces", "vpcs", "cluster"], run: storeClientsMayReachTheStoresVpc },
  { needs: ["dataStores"], run: closedStoreSubnetsAreNotSharedWithOpenStores },
];

const at = (index: number) => `segmentation:dataStores[${index}]`;

function ports(store: RawStore): number[] {
  return [...new Set([...(store.port === undefined ? [] : [store.port]), ...(store.ports ?? [])])];
}

/** Clients are area namespaces: the tools' egress is fitted to their job and reaches no store. */
function storeClientsExist({ dataStores, namespaces }: Sections): ConfigIssue[] {
  const known = Object.keys(namespaces).sort();
  const issues: ConfigIssue[] = [];
  dataStores.forEach((store, index) => {
    const seen = new Set<string>();
    store.clients.forEach((client, clientIndex) => {
      const path = `${at(index)}.clients[${clientIndex}]`;
      if (!known.includes(client.namespace)) {
        issues.push({
          path: `${path}.namespace`,
          value: client.namespace,
          problem: `is not an area namespace of the stack, so no pod of it could use data store "${store.name}"`,
          fix:
            suggestion(client.namespace, known) ??
            (known.length <= 8
              ? `add it to segmentation:namespaces, or name one of ${known.join(", ")}`
              : "add it to segmentation:namespaces, or name a namespace listed there"),
        });
      }
      const key = clientKey(client as StoreClient);
      if (seen.has(key)) {
        issues.push({
          path,
          value: client,
          problem: `repeats client ${clientText(client as StoreClient)} of data store "${store.name}"`,
          fix: "list each client once",
        });
      }
      seen.add(key);
    });
  });
  return issues;
}

function storesInClientsPhaseHaveClients({ dataStores }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  dataStores.forEach((store, index) => {
    if (store.phase !== "clients") return;
    if (store.clients.length === 0) {
      issues.push({
        path: `${at(index)}.clients`,
        value: store.clients,
        problem: `is empty while data store "${store.name}" is in clients phase, so nothing would reach it`,
        fix: "list the namespaces that use the store, or keep its phase open",
      });
    }
    if (store.subnets.length === 0) {
      issues.push({
        path: `${at(index)}.subnets`,
        value: store.subnets,
        problem: `is empty while data store "${store.name}" is in clients phase; its clients' NetworkPolicies must name its addresses`,
        fix: "list the subnets of the store's subnet group (the ranges its endpoints get addresses from)",
      });
    }
  });
  dataStores.forEach((store, index) => {
    const owned = store.openFromCluster ?? store.kind !== "msk";
    if (owned || store.clients.length === 0) return;
    issues.push({
      path: `${at(index)}.clients`,
      value: store.clients,
      problem: `name clients of data store "${store.name}", whose group the stack manages no rule on`,
      fix: "set openFromCluster: true so the stack owns the store's rules, or remove its clients",
    });
  });
  return issues;
}

function storeSubnetsLieInTheirVpc({ dataStores, vpcs, cluster }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  dataStores.forEach((store, index) => {
    const vpc = vpcs[store.vpc];
    // A store in an unknown or unpeered VPC is reported on its own (validate.ts).
    if (!vpc || (store.vpc !== cluster.vpc && !vpc.peered)) return;
    store.subnets.forEach((subnet, subnetIndex) => {
      if (contains(vpc.cidrs, subnet)) return;
      issues.push({
        path: `${at(index)}.subnets[${subnetIndex}]`,
        value: subnet,
        problem: `is outside VPC "${store.vpc}" (${vpc.cidrs.join(", ")}) of data store "${store.name}"`,
        fix: `use the store's subnets, which lie inside ${vpc.cidrs.join(" or ")}`,
      });
    });
  });
  return issues;
}

/**
 * The store's rule references a group in the cluster's VPC: AWS accepts that across a peering in one Region
 * only, with the group's account named when the store is in another account.
 */
function clientGroupsCanBeReferenced({
  dataStores,
  cluster,
  vpcs,
  accounts,
  storeAccess,
  region: home,
}: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const withClients = dataStores
    .map((store, index) => ({ store, index }))
    .filter(({ store }) => store.clients.length > 0);
  if (withClients.length === 0) return [];
  const first = withClients[0]!;
  const clusterVpc = vpcs[cluster.vpc];
  const regionOf = (name: string) => {
    const vpc = vpcs[name];
    return vpc?.region ?? (vpc?.account ? accounts[vpc.account]?.region : undefined) ?? home;
  };
  if (!storeAccess.clusterSecurityGroupId) {
    issues.push({
      path: "segmentation:storeAccess.clusterSecurityGroupId",
      value: undefined,
      problem: `is missing, but data store "${first.store.name}" has clients; pods given their own groups lose the node's, and with them kubelet probes and DNS`,
      fix: "give the EKS cluster security group (aws eks describe-cluster --query cluster.resourcesVpcConfig.clusterSecurityGroupId)",
    });
  }
  for (const { store, index } of withClients) {
    const storeVpc = vpcs[store.vpc];
    // A cluster outside aws:region is reported on its own; every store would repeat it here.
    if (!storeVpc || !clusterVpc || regionOf(cluster.vpc) !== home) continue;
    const region = regionOf(store.vpc);
    const clusterRegion = regionOf(cluster.vpc);
    if (region !== clusterRegion) {
      issues.push({
        path: `${at(index)}.clients`,
        value: store.clients,
        problem: `name pods whose group data store "${store.name}" would reference across Regions (${region}); AWS refuses group references over an inter-Region peering`,
        fix: "keep the store open (its rules name the pod ranges), or move it to the cluster's Region",
      });
    }
    const named = issues.some((issue) => issue.path === "segmentation:storeAccess.clusterAccountId");
    if (storeVpc.account !== clusterVpc.account && !storeAccess.clusterAccountId && !named) {
      issues.push({
        path: "segmentation:storeAccess.clusterAccountId",
        value: undefined,
        problem: `is missing, but data store "${store.name}" lives in account "${storeVpc.account}" and must reference its clients' groups as <account>/<group>`,
        fix: "give the 12-digit id of the account the cluster runs in",
      });
    }
  }
  return issues;
}

function storeGroupsFitTheirQuota({ dataStores, cluster }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  dataStores.forEach((store, index) => {
    const open =
      store.phase === "open" && (store.openFromCluster ?? store.kind !== "msk") ? cluster.cidrs.length : 0;
    const clients = new Set(store.clients.map((c) => clientKey(c as StoreClient))).size;
    const planned = ports(store).length * (open + clients);
    const total = store.existingInboundRules + planned;
    if (total <= store.rulesQuota) return;
    issues.push({
      path: `${at(index)}.clients`,
      value: store.clients,
      problem:
        `would give security group ${store.securityGroupId} of "${store.name}" ${total} inbound rules ` +
        `(${store.existingInboundRules} existing + ${ports(store).length} port(s) × (${open} pod range(s) + ${clients} client group(s))), ` +
        `over its quota of ${store.rulesQuota}`,
      fix: "raise the group's inbound rule quota in AWS and set rulesQuota to match, move the store to clients phase (its pod-range rules go), or give clients that share a namespace one entry",
    });
  });
  return issues;
}

function clientGroupsFitTheirQuotas({ dataStores, storeAccess }: Sections): ConfigIssue[] {
  const stores = dataStores.map((store) => ({
    name: store.name,
    ports: ports(store),
    clients: store.clients.map((client) => ({ namespace: client.namespace, podLabels: client.podLabels })),
  }));
  const groups = planClientGroups({ dataStores: stores });
  const issues: ConfigIssue[] = [];
  for (const group of groups) {
    const outbound = group.stores.reduce(
      (count, name) => count + (stores.find((store) => store.name === name)?.ports.length ?? 0),
      0,
    );
    if (outbound > storeAccess.rulesQuota) {
      issues.push({
        path: "segmentation:storeAccess.rulesQuota",
        value: storeAccess.rulesQuota,
        problem: `is below the ${outbound} outbound rules of the group of client ${clientText(group)} (one per store and port)`,
        fix: "raise the outbound rule quota in AWS and set rulesQuota to match, or split the client by pod labels",
      });
    }
    // Every pod of the client carries its groups and the cluster's; a SecurityGroupPolicy holds at most 5.
    const onPod = groupsOnPod(group, groups).length + 1;
    if (onPod > storeAccess.securityGroupsPerInterface) {
      issues.push({
        path: "segmentation:storeAccess.securityGroupsPerInterface",
        value: storeAccess.securityGroupsPerInterface,
        problem: `is below the ${onPod} groups a pod of client ${clientText(group)} would carry (its client groups and the cluster's)`,
        fix: "give the namespace's clients fewer distinct pod labels, or raise the groups-per-interface quota in AWS (16 at most) and set it here",
      });
    }
  }
  return issues;
}

/**
 * Families the VPC resource controller never trunks: `t` (named by the EKS guide) and the Xen-based
 * generations that predate Nitro (https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-nitro-instances.html).
 */
const NO_TRUNKING = /^(t\d+[a-z]*|m[1-4]|c[1-4]|r3|r4|i2|i3|d2|x1e?|g2|g3s?|p2|p3|h1|f1)\./;

function nodesSupportTrunking({ storeAccess }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  storeAccess.nodeInstanceTypes.forEach((type, index) => {
    if (!NO_TRUNKING.test(type) || type.endsWith(".metal")) return;
    issues.push({
      path: `segmentation:storeAccess.nodeInstanceTypes[${index}]`,
      value: type,
      problem: "cannot trunk network interfaces, so its pods get no security group of their own",
      fix: "run clients on a Nitro type with IsTrunkingCompatible in the VPC resource controller's limits.go (e.g. m5, c6g, r6i), never the t family",
    });
  });
  return issues;
}

/**
 * A client's pods reach the store only if their area may reach the store's VPC at all (the design's egress
 * rules); declaring a client is a narrowing, never a way around the areas.
 */
function storeClientsMayReachTheStoresVpc({
  dataStores,
  namespaces,
  vpcs,
  cluster,
}: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  dataStores.forEach((store, index) => {
    // An open store's client outside the areas is only a client that cannot reach it (a warning); a store
    // in an unknown or unpeered VPC is reported on its own.
    const vpc = vpcs[store.vpc];
    if (store.phase !== "clients" || !vpc || (store.vpc !== cluster.vpc && !vpc.peered)) return;
    store.clients.forEach((client, clientIndex) => {
      const ns = namespaces[client.namespace];
      if (!ns) return;
      const vpcs = AREA_RULES[ns.area].egressToVpcs;
      if (vpcs.includes(store.vpc)) return;
      issues.push({
        path: `${at(index)}.clients[${clientIndex}].namespace`,
        value: client.namespace,
        problem: `is in area ${ns.area}, whose pods may not reach VPC "${store.vpc}" of data store "${store.name}" (they may reach ${vpcs.join(", ")})`,
        fix: `move the store to a VPC of area ${ns.area}, or the namespace to an area that reaches ${store.vpc} (the design's workaround)`,
      });
    });
  });
  return issues;
}

/**
 * Leaving a closed store's subnets out of the default egress also cuts any store that shares them and is
 * still open: its users would lose it with no config of theirs changing.
 */
function closedStoreSubnetsAreNotSharedWithOpenStores({ dataStores }: Sections): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  dataStores.forEach((store, index) => {
    if (store.phase !== "clients") return;
    for (const other of dataStores) {
      if (other.name === store.name || other.phase === "clients") continue;
      if (!overlaps(store.subnets, other.subnets)) continue;
      issues.push({
        path: `${at(index)}.subnets`,
        value: store.subnets,
        problem: `are shared with data store "${other.name}", which is open; leaving them out of every namespace's egress would cut "${other.name}" too`,
        fix: `name the clients of "${other.name}" and move it to clients phase as well, or list subnets the two do not share`,
      });
    }
  });
  return issues;
}
