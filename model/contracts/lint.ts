/**
 * Contract lint: the mistakes the seeds and the field warn about, each reported with its path in the
 * contract file, the value, what is wrong and the fix.
 *
 * Some checks read the contract alone (selectors that mean everyone, public ranges without a reason), some
 * need the service's pods and Services as its chart renders them (selectors that match none of them, a
 * Service port where the pods receive on another), and some the stack's config (what the area defaults
 * already allow, found with the evaluator). A check whose input is missing is skipped, and the report
 * says which and what would enable it.
 */

import { contains, INSTANCE_METADATA_CIDR, NON_PUBLIC_RANGES, overlaps } from "../../core/cidr";
import { AREA_LABEL, ENDPOINT_LABEL, ENDPOINT_VALUE } from "../../core/labels";
import { AREA_RULES, isArea } from "../areas";
import type { DataStoreConfig, RawConfig, SegmentationConfig } from "../config";
import { clientText } from "../storeAccess";
import { suggestion } from "../zodIssues";
import {
  type Contract,
  type ContractIssue,
  type ContractRule,
  compatible,
  type Labels,
  labelsText,
  peersField,
  rulesOf,
  selects,
  type Workload,
} from "./contract";
import { policyNameIssues } from "./render";

export type Severity = "error" | "warning" | "note";

export type CheckId =
  | "every-peer"
  | "every-pod"
  | "public-cidr-reason"
  | "area-label-on-pods"
  | "named-port"
  | "policy-name"
  | "no-pod"
  | "endpoint-label"
  | "service-port"
  | "service-selector"
  | "namespace"
  | "cidr-covers-pods"
  | "instance-metadata"
  | "area-vpc"
  | "adds-nothing"
  | "cluster-tier"
  | "store-client";

export interface Finding extends ContractIssue {
  severity: Severity;
  check: CheckId;
}

/** A stack's config, as `--stack`/`--config` name it. */
export interface StackContext {
  name: string;
  config: SegmentationConfig;
  /**
   * The names of `segmentation:dataStores` in the stack file's order, so a fix can point at the entry to
   * change (`config.dataStores` is sorted by name). Without it, fixes name the entry by its name.
   */
  dataStoreOrder?: readonly string[];
}

/** The stack a contract is linted against, from its parsed config and the raw values it was parsed from. */
export function stackContext(name: string, config: SegmentationConfig, raw?: RawConfig): StackContext {
  const stores = raw?.values.dataStores;
  if (!Array.isArray(stores)) return { name, config };
  return {
    name,
    config,
    dataStoreOrder: stores.map((store) => String((store as { name?: unknown } | null)?.name ?? "")),
  };
}

/** Every check that needs nothing but the contract (and what it declares about the service). */
export function fileFindings(contract: Contract): Finding[] {
  return [
    ...selectorFindings(contract),
    ...cidrFindings(contract),
    ...portFindings(contract),
    ...policyNameIssues(contract).map((issue) => finding("error", "policy-name", issue)),
    ...(contract.workloads ? workloadFindings(contract, contract.workloads) : []),
    ...(contract.services ? serviceFindings(contract) : []),
  ];
}

/** A finding of `check`, which is also the rule its problem breaks. */
export function finding(severity: Severity, check: CheckId, issue: ContractIssue): Finding {
  return { severity, check, ...issue, rule: check };
}

// --- selectors that mean everyone, or nothing -------------------------------------------------------------

function selectorFindings(contract: Contract): Finding[] {
  const out: Finding[] = [];
  const areaLabel = (labels: Labels, path: string, asPeer: boolean) => {
    const value = labels[AREA_LABEL];
    if (value === undefined) return;
    out.push(
      finding("error", "area-label-on-pods", {
        path: `${path}.${AREA_LABEL}`,
        value,
        problem: `is the area label of namespaces; on a pod it says only what the pod's owner wrote there`,
        fix:
          asPeer && isArea(value)
            ? `write {area: ${value}} to select pods of that area's namespaces`
            : `remove ${AREA_LABEL} from the pod labels`,
      }),
    );
  };
  const everyPodOfMine = (path: string, labels: Labels, what: string) => {
    areaLabel(labels, path, false);
    if (Object.keys(labels).length > 0) return;
    out.push(
      finding("error", "every-pod", {
        path,
        value: labels,
        problem: `selects every pod of namespace ${contract.namespace}, ${what}`,
        fix: "name the labels of the pods it is for, as their pod template sets them (e.g. {app: my-api})",
      }),
    );
  };
  for (const { rule, path } of rulesOf(contract)) {
    const field = peersField(rule.direction);
    everyPodOfMine(
      `${path}.pods`,
      rule.pods,
      rule.direction === "ingress" ? "other services' pods included" : "so all of them may connect",
    );
    if (rule.peers.length === 0) {
      out.push(
        finding("error", "every-peer", {
          path: `${path}.${field}`,
          value: undefined,
          problem:
            rule.direction === "ingress"
              ? "is empty, so the rule admits every pod of every namespace and every address"
              : "is empty, so the pods may reach every address and every pod",
          fix: `list the ${rule.direction === "ingress" ? "clients" : "destinations"}: {area}, {namespace}, {pods} or {cidr, reason}`,
        }),
      );
    }
    rule.peers.forEach((peer, j) => {
      if (peer.kind === "cidr") return;
      const peerPath = `${path}.${field}[${j}].pods`;
      if (peer.pods) areaLabel(peer.pods, peerPath, true);
      if (peer.kind === "pods" && Object.keys(peer.pods).length === 0) {
        out.push(
          finding("error", "every-pod", {
            path: peerPath,
            value: peer.pods,
            problem: `selects every pod of namespace ${contract.namespace}`,
            fix: `name the labels the ${rule.direction === "ingress" ? "clients" : "destinations"} carry; for the whole namespace write {namespace: ${contract.namespace}}`,
          }),
        );
      }
    });
  }
  contract.expose.forEach((entry, i) => {
    everyPodOfMine(`expose[${i}].pods`, entry.pods, "so every one of them is an endpoint");
  });
  // An empty selector here is the store's client in its whole namespace, as the stack writes it.
  contract.stores.forEach((use, i) => {
    areaLabel(use.pods, `stores[${i}].pods`, false);
  });
  return out;
}

function cidrFindings(contract: Contract): Finding[] {
  const out: Finding[] = [];
  for (const { rule, path } of rulesOf(contract)) {
    rule.peers.forEach((peer, j) => {
      if (peer.kind !== "cidr") return;
      if (rule.direction === "egress" && overlaps(peer.cidr, INSTANCE_METADATA_CIDR)) {
        out.push(
          finding("error", "instance-metadata", {
            path: `${path}.to[${j}].cidr`,
            value: peer.cidr,
            problem: `includes instance metadata (${INSTANCE_METADATA_CIDR}), which the platform allows or denies for every namespace (segmentation:egress.instanceMetadata)`,
            fix: "narrow the range; if the pods need instance metadata, ask the platform team",
          }),
        );
      }
      if (peer.reason !== undefined || contains(NON_PUBLIC_RANGES, peer.cidr)) return;
      out.push(
        finding("error", "public-cidr-reason", {
          path: `${path}.${peersField(rule.direction)}[${j}].cidr`,
          value: peer.cidr,
          problem: `includes public addresses and has no reason`,
          fix: "add `reason:` saying whose addresses these are and why they are trusted, or narrow the range",
        }),
      );
    });
  }
  return out;
}

function portFindings(contract: Contract): Finding[] {
  const out: Finding[] = [];
  for (const { rule, path } of rulesOf(contract)) {
    rule.ports.forEach((port, k) => {
      if (!("name" in port) || rule.direction === "ingress") return;
      out.push(
        finding("error", "named-port", {
          path: `${path}.ports[${k}]`,
          value: port.name,
          problem:
            "names a port of the destination's pods, which this contract does not declare (and addresses have no port names)",
          fix: "write the destination's port number",
        }),
      );
    });
  }
  return out;
}

// --- against the service's pods -----------------------------------------------------------------------------

function workloadFindings(contract: Contract, workloads: readonly Workload[]): Finding[] {
  const out: Finding[] = [];
  const described = workloads.map((w) => `${w.name} (${labelsText(w.labels)})`).join(", ") || "none";
  const selected = (labels: Labels) => workloads.filter((w) => selects(labels, w.labels));
  const noPod = (path: string, labels: Labels) => {
    if (Object.keys(labels).length === 0 || selected(labels).length > 0) return false;
    out.push(
      finding("error", "no-pod", {
        path,
        value: labels,
        problem: `matches no pod of the service; its workloads are ${described}`,
        fix: "use labels the pod template sets (a selector that drifts from the pods admits nothing)",
      }),
    );
    return true;
  };
  for (const { rule, path } of rulesOf(contract)) {
    if (noPod(`${path}.pods`, rule.pods) || rule.direction !== "ingress") continue;
    const targets = selected(rule.pods);
    rule.ports.forEach((port, k) => {
      if (!("name" in port)) return;
      const declaring = targets.filter((w) =>
        w.ports.some((p) => p.name === port.name && p.protocol === port.protocol),
      );
      if (declaring.length > 0) return;
      const other = targets.flatMap((w) => w.ports.filter((p) => p.name === port.name));
      out.push(
        finding("error", "named-port", {
          path: `${path}.ports[${k}]`,
          value: port.name,
          problem:
            other.length > 0
              ? `is a ${other[0]!.protocol} port of the selected pods, and the rule says ${port.protocol}`
              : `is not a port of the selected pods (${targets.map((w) => `${w.name}: ${w.ports.map((p) => p.name ?? p.containerPort).join(", ") || "no ports"}`).join("; ")})`,
          fix:
            other.length > 0
              ? `write {port: ${port.name}, protocol: ${other[0]!.protocol}}`
              : "use a name the pods declare, or the port number",
        }),
      );
    });
  }
  contract.expose.forEach((entry, i) => {
    const path = `expose[${i}].pods`;
    if (noPod(path, entry.pods)) return;
    for (const workload of selected(entry.pods)) {
      if (workload.labels[ENDPOINT_LABEL] === ENDPOINT_VALUE) continue;
      out.push(
        finding("error", "endpoint-label", {
          path,
          value: entry.pods,
          problem: `selects workload ${workload.name}, whose pods do not carry ${ENDPOINT_LABEL}: "${ENDPOINT_VALUE}", so the area rules never open them`,
          fix: `add ${ENDPOINT_LABEL}: "${ENDPOINT_VALUE}" to the labels of ${workload.name}'s pod template`,
        }),
      );
    }
  });
  contract.stores.forEach((use, i) => {
    noPod(`stores[${i}].pods`, use.pods);
  });
  workloads.forEach((workload, w) => {
    if (workload.labels[ENDPOINT_LABEL] !== ENDPOINT_VALUE) return;
    if (contract.expose.some((entry) => selects(entry.pods, workload.labels))) return;
    out.push(
      finding("warning", "endpoint-label", {
        path: `workloads[${w}].labels.${ENDPOINT_LABEL}`,
        value: ENDPOINT_VALUE,
        problem: `makes ${workload.name} an endpoint, which the strict phase opens to its area's namespaces, and no expose entry says so`,
        fix: `add an expose entry for ${workload.name} saying who needs it, or drop the label from its pod template`,
      }),
    );
  });
  return out;
}

/** NetworkPolicies see the port a pod receives on, after the Service has translated it (seed 004, NP-11). */
function serviceFindings(contract: Contract): Finding[] {
  const out: Finding[] = [];
  const workloads = contract.workloads;
  const services = contract.services ?? [];
  const reaches = (selector: Labels, rule: ContractRule): Workload[] | boolean =>
    workloads
      ? workloads.filter((w) => selects(selector, w.labels) && selects(rule.pods, w.labels))
      : compatible(selector, rule.pods);
  const targetPortOf = (target: number | string, pods: readonly Workload[]) =>
    typeof target === "number"
      ? target
      : (pods.flatMap((w) => w.ports).find((p) => p.name === target)?.containerPort ?? target);

  contract.ingress.forEach((rule, r) => {
    const path = `ingress[${r}]`;
    rule.ports.forEach((port, k) => {
      if ("name" in port || port.endPort !== undefined) return;
      for (const service of services) {
        const overlap = reaches(service.selector, rule);
        if (overlap === false || (Array.isArray(overlap) && overlap.length === 0)) continue;
        const pods = Array.isArray(overlap) ? overlap : [];
        for (const servicePort of service.ports) {
          if (servicePort.port !== port.port || servicePort.protocol !== port.protocol) continue;
          const target = targetPortOf(servicePort.targetPort, pods);
          if (target === port.port) continue;
          if (
            pods.some((w) =>
              w.ports.some((p) => p.containerPort === port.port && p.protocol === port.protocol),
            )
          ) {
            continue;
          }
          out.push(
            finding("error", "service-port", {
              path: `${path}.ports[${k}]`,
              value: port.port,
              problem: `is the port of Service ${service.name}, which delivers to the pods on ${typeof servicePort.targetPort === "string" ? `"${servicePort.targetPort}" (${target})` : target}; policies see the port the pods receive on`,
              fix: `write ${typeof target === "number" ? target : `"${target}"`}, the container port`,
            }),
          );
        }
      }
    });
  });

  contract.ingress.forEach((rule, r) => {
    for (const service of services) {
      if (!compatible(service.selector, rule.pods)) continue;
      const servicePods = workloads?.filter((w) => selects(service.selector, w.labels)) ?? [];
      const forService =
        rule.ports.length === 0 ||
        service.ports.some((sp) =>
          rule.ports.some((port) =>
            "name" in port
              ? port.name === sp.targetPort
              : port.port === targetPortOf(sp.targetPort, servicePods) || port.port === sp.port,
          ),
        );
      if (!forService) continue;
      const missed = workloads
        ? workloads
            .filter((w) => selects(service.selector, w.labels) && !selects(rule.pods, w.labels))
            .map((w) => `workload ${w.name}`)
        : Object.keys(rule.pods).some((key) => service.selector[key] === undefined)
          ? [
              `pods without ${labelsText(Object.fromEntries(Object.entries(rule.pods).filter(([key]) => service.selector[key] === undefined)))}`,
            ]
          : [];
      if (missed.length === 0) continue;
      out.push(
        finding("warning", "service-selector", {
          path: `ingress[${r}].pods`,
          value: rule.pods,
          problem: `is narrower than Service ${service.name}'s selector (${labelsText(service.selector)}): the Service also routes to ${missed.join(", ")}, whose requests this rule refuses`,
          fix: `select the pods with the Service's labels, ${JSON.stringify(service.selector)}`,
        }),
      );
    }
  });
  return out;
}

// --- against the stack's data stores ----------------------------------------------------------------------

/** Stores named in a problem before the rest are counted. */
const STORES_LISTED = 20;

/**
 * Each store the contract says it uses, held to the stack: the store exists, the namespace's area may reach
 * its VPC, and its clients include the pods that use it. The store's `clients` are what opens it, in both
 * layers; a use they cover renders nothing and says nothing, except while the store is still open to all.
 */
export function storeFindings(contract: Contract, stack: StackContext): Finding[] {
  const { config } = stack;
  const out: Finding[] = [];
  const names = config.dataStores.map((store) => store.name);
  const home = config.namespaces.find((ns) => ns.name === contract.namespace);
  contract.stores.forEach((use, i) => {
    const path = `stores[${i}]`;
    const store = config.dataStores.find((candidate) => candidate.name === use.name);
    if (!store) {
      out.push(
        finding("error", "store-client", {
          path: `${path}.name`,
          value: use.name,
          problem: `is not a data store of stack ${stack.name}; ${storesText(names)}`,
          fix:
            suggestion(use.name, names) ??
            "name a store the stack lists, or ask the platform team to add the store to segmentation:dataStores",
        }),
      );
      return;
    }
    // A namespace the stack does not have is reported by the namespace check; it could be nobody's client.
    if (!home) return;
    const reachable = AREA_RULES[home.area].egressToVpcs;
    if (!reachable.includes(store.vpc)) {
      out.push(
        finding("error", "store-client", {
          path: `${path}.name`,
          value: use.name,
          problem: `is in VPC ${store.vpc}, which the area rules keep from ${home.area} namespaces such as ${home.name} (they reach ${reachable.join(", ")}); the stack refuses them as its clients`,
          fix: `ask the platform team: the store belongs in a VPC of area ${home.area}, or the service in an area that reaches ${store.vpc}`,
        }),
      );
      return;
    }
    if (!store.openFromCluster) {
      out.push(
        finding("note", "store-client", {
          path: `${path}.name`,
          value: use.name,
          problem: `is a ${store.kind} store whose security group this stack manages no rule on (openFromCluster is off), so it has no clients to check; the use is recorded only`,
          fix: "nothing to change in the contract; the platform team sets openFromCluster before the store can name clients",
        }),
      );
      return;
    }
    const mine = store.clients.filter((client) => client.namespace === contract.namespace);
    if (coversPods(mine, use.pods, contract.workloads)) {
      if (store.phase !== "open") return;
      out.push(
        finding("note", "store-client", {
          path: `${path}.name`,
          value: use.name,
          problem: `is still in open phase: its group admits the cluster's pod ranges and every namespace whose area reaches VPC ${store.vpc} may send to it, so this use is recorded but not yet enforced`,
          fix: `nothing to change; once the platform team sets phase: clients on the store, only its clients reach it, ${contract.namespace}'s among them`,
        }),
      );
      return;
    }
    const wanted =
      Object.keys(use.pods).length === 0
        ? `{namespace: ${contract.namespace}}`
        : `{namespace: ${contract.namespace}, podLabels: ${yamlLabels(use.pods)}}`;
    const whose =
      Object.keys(use.pods).length === 0
        ? `the pods of ${contract.namespace}`
        : `the pods of ${contract.namespace} with ${labelsText(use.pods)}`;
    const clientsNow =
      mine.length > 0
        ? `its clients in ${contract.namespace} are only ${mine.map(clientText).join("; ")}`
        : `${contract.namespace} is not among its clients (${store.clients.map(clientText).join("; ") || "none"})`;
    const outcome =
      store.phase === "clients"
        ? "cannot reach it, in either layer"
        : "lose it when the store moves to clients phase";
    const byPods = mine.length > 0 && Object.keys(use.pods).length > 0;
    out.push(
      finding(store.phase === "clients" ? "error" : "warning", "store-client", {
        path: byPods ? `${path}.pods` : `${path}.name`,
        value: byPods ? use.pods : use.name,
        problem: byPods
          ? `selects pods the clients of data store ${store.name} leave out (${clientsNow}); the store is ${phaseText(store)}, so they ${outcome}`
          : `is ${phaseText(store)}, and ${clientsNow}: ${whose} ${outcome}`,
        fix: `ask the platform team to add ${wanted} to ${clientsOf(stack, store)} in stack ${stack.name}`,
      }),
    );
  });
  return out;
}

/**
 * Whether the clients of one namespace cover every pod carrying `pods`: one client's labels are among them
 * (its SecurityGroupPolicy and egress allow select them all), or, when the contract declares its workloads,
 * each workload `pods` selects is some client's.
 */
function coversPods(
  clients: readonly { podLabels: Labels }[],
  pods: Labels,
  workloads: readonly Workload[] | undefined,
): boolean {
  if (clients.some((client) => selects(client.podLabels, pods))) return true;
  const selected = workloads?.filter((w) => selects(pods, w.labels)) ?? [];
  return (
    selected.length > 0 &&
    selected.every((w) => clients.some((client) => selects(client.podLabels, w.labels)))
  );
}

function phaseText(store: DataStoreConfig): string {
  return store.phase === "clients" ? "in clients phase" : "still open to the cluster's pod ranges";
}

function storesText(names: readonly string[]): string {
  if (names.length === 0) return "it has none";
  const listed = names.slice(0, STORES_LISTED).join(", ");
  return names.length > STORES_LISTED
    ? `its stores are ${listed} and ${names.length - STORES_LISTED} more`
    : `its stores are ${listed}`;
}

/** `{app: ledger, endpoint: "true"}`, as the stack's YAML would write the labels. */
function yamlLabels(labels: Labels): string {
  // Label values are letters, digits, '-', '_' and '.'; YAML reads the ones below as other than text.
  const plain = (value: string) => /^[A-Za-z][-\w.]*$/.test(value) && !/^(true|false|null)$/i.test(value);
  return `{${Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}: ${plain(value) ? value : JSON.stringify(value)}`)
    .join(", ")}}`;
}

/** `segmentation:dataStores[3].clients`: where the store's clients are, in the stack file. */
function clientsOf(stack: StackContext, store: DataStoreConfig): string {
  const index = stack.dataStoreOrder?.indexOf(store.name) ?? -1;
  return index >= 0
    ? `segmentation:dataStores[${index}].clients`
    : `the clients of data store ${store.name} (segmentation:dataStores)`;
}
