/**
 * Validation and normalisation of cluster-tier policies. Three flavours of one model reach the evaluator
 * (docs/cluster-tier-policies.md has the table and the sources):
 *
 * - `networking.k8s.aws/v1alpha1 ClusterNetworkPolicy`, what the VPC CNI v1.21.1+ enforces on EKS. Its CRD
 *   (aws/amazon-network-policy-controller-k8s, pkg/crd/crds.yaml) takes `Accept|Deny|Pass`, v1alpha1-style
 *   `ports` and no `nodes` peer. The EKS guide says "Allow"; the CRD the cluster runs refuses it, and we
 *   follow the CRD.
 * - `policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy`, upstream's current API
 *   (kubernetes-sigs/network-policy-api, apis/v1alpha2/clusternetworkpolicy_types.go), with `protocols`.
 * - `policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy` (`Allow|Deny|Pass`) and
 *   `BaselineAdminNetworkPolicy` (`Allow|Deny`, one object named `default`).
 *
 * Each comes out as one `ClusterPolicy`. What a flavour cannot express, or netseg cannot evaluate, is
 * refused with its path and the fix (nodes peers, networks in ingress), or warned about (domainNames).
 */

import type { LabelSelector } from "../core/k8s";
import { checkCidr } from "./addresses";
import {
  arrayAt,
  checkSelector,
  childPath,
  isPortNumber,
  isRecord,
  type Json,
  objectAt,
  onlyKeys,
  portNameProblem,
  protocolAt,
  type Report,
  stringAt,
} from "./check";
import type {
  ClusterPeer,
  ClusterPolicy,
  ClusterPolicyKind,
  ClusterPort,
  ClusterRule,
  ClusterSelection,
  Direction,
  Protocol,
  Tier,
  TierAction,
} from "./types";

interface Flavour {
  apiVersion: string;
  kind: ClusterPolicyKind;
  /** How messages name it. */
  label: string;
  /** The action words as the schema spells them, and what each means. */
  actions: Readonly<Record<string, TierAction>>;
  /** The tier, when the kind fixes it. */
  tier?: Tier;
  hasPriority: boolean;
  ports: "ports" | "protocols";
  egressPeers: readonly string[];
  maxRules: number;
  /** Whether `subject.pods` and peer `pods` must spell out `namespaceSelector`. */
  namespaceSelectorRequired: boolean;
}

const ACCEPT_DENY_PASS = { Accept: "Accept", Deny: "Deny", Pass: "Pass" } as const;

export const CLUSTER_TIER_FLAVOURS: readonly Flavour[] = [
  {
    apiVersion: "networking.k8s.aws/v1alpha1",
    kind: "ClusterNetworkPolicy",
    label: "ClusterNetworkPolicy (networking.k8s.aws/v1alpha1)",
    actions: ACCEPT_DENY_PASS,
    hasPriority: true,
    ports: "ports",
    egressPeers: ["namespaces", "pods", "networks", "domainNames"],
    maxRules: 100,
    namespaceSelectorRequired: true,
  },
  {
    apiVersion: "policy.networking.k8s.io/v1alpha2",
    kind: "ClusterNetworkPolicy",
    label: "ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2)",
    actions: ACCEPT_DENY_PASS,
    hasPriority: true,
    ports: "protocols",
    egressPeers: ["namespaces", "pods", "networks", "nodes", "domainNames"],
    maxRules: 25,
    namespaceSelectorRequired: false,
  },
  {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "AdminNetworkPolicy",
    label: "AdminNetworkPolicy",
    actions: { Allow: "Accept", Deny: "Deny", Pass: "Pass" },
    tier: "Admin",
    hasPriority: true,
    ports: "ports",
    egressPeers: ["namespaces", "pods", "networks", "nodes"],
    maxRules: 100,
    namespaceSelectorRequired: true,
  },
  {
    apiVersion: "policy.networking.k8s.io/v1alpha1",
    kind: "BaselineAdminNetworkPolicy",
    label: "BaselineAdminNetworkPolicy",
    actions: { Allow: "Accept", Deny: "Deny" },
    tier: "Baseline",
    hasPriority: false,
    ports: "ports",
    egressPeers: ["namespaces", "pods", "networks", "nodes"],
    maxRules: 100,
    namespaceSelectorRequired: true,
  },
];

const CLUSTER_KINDS = new Set(CLUSTER_TIER_FLAVOURS.map((f) => f.kind));

/** The cluster-tier flavour of an object by its apiVersion and kind, if it is one. */
function flavourOf(value: Json): Flavour | undefined {
  return CLUSTER_TIER_FLAVOURS.find((f) => f.apiVersion === value.apiVersion && f.kind === value.kind);
}

/** True for an object whose kind is a cluster-tier kind (its apiVersion is checked with the rest). */
export function isClusterTierObject(value: unknown): boolean {
  return isRecord(value) && CLUSTER_KINDS.has(value.kind as ClusterPolicyKind);
}

function selectorAt(report: Report, value: unknown, path: string): LabelSelector {
  checkSelector(report, value, path);
  return (isRecord(value) ? value : {}) as LabelSelector;
}

/** `{namespaces}` or `{pods: {namespaceSelector, podSelector}}`, exactly one: subjects and selector peers. */
function selectionAt(
  report: Report,
  value: Json,
  path: string,
  flavour: Flavour,
): ClusterSelection | undefined {
  if (value.namespaces !== undefined) {
    return { namespaces: selectorAt(report, value.namespaces, childPath(path, "namespaces")) };
  }
  const podsPath = childPath(path, "pods");
  if (!objectAt(report, value.pods, podsPath, "{namespaceSelector, podSelector}")) return undefined;
  const pods = value.pods;
  onlyKeys(report, pods, podsPath, "a pods selection", ["namespaceSelector", "podSelector"]);
  if (pods.podSelector === undefined) {
    report.add(childPath(podsPath, "podSelector"), undefined, "is required; {} selects every pod");
  }
  if (pods.namespaceSelector === undefined && flavour.namespaceSelectorRequired) {
    report.add(
      childPath(podsPath, "namespaceSelector"),
      undefined,
      `is required in ${flavour.label}; {} selects every namespace`,
    );
  }
  return {
    pods: {
      namespaceSelector: selectorAt(
        report,
        pods.namespaceSelector ?? {},
        childPath(podsPath, "namespaceSelector"),
      ),
      podSelector: selectorAt(report, pods.podSelector ?? {}, childPath(podsPath, "podSelector")),
    },
  };
}

/** Exactly one field set, of `allowed`; reports otherwise and returns the field. */
function oneFieldOf(report: Report, value: Json, path: string, what: string, allowed: readonly string[]) {
  const keys = Object.keys(value);
  const unknown = keys.filter((key) => !allowed.includes(key));
  for (const key of unknown) {
    report.add(
      childPath(path, key),
      value[key],
      `is not a field of ${what}; the fields are ${allowed.join(", ")}`,
    );
  }
  if (unknown.length > 0) return undefined;
  if (keys.length === 1) return keys[0]!;
  const set = keys.length === 0 ? "sets nothing" : `sets ${keys.join(" and ")}`;
  report.add(path, value, `${set}; ${what} sets exactly one of ${allowed.join(", ")}`);
  return undefined;
}

function checkSubject(report: Report, value: unknown, path: string, flavour: Flavour) {
  if (value === undefined) {
    report.add(
      path,
      value,
      "is required: {namespaces: selector} or {pods: {namespaceSelector, podSelector}}",
    );
    return undefined;
  }
  if (!objectAt(report, value, path, "{namespaces} or {pods}")) return undefined;
  const field = oneFieldOf(report, value, path, "a subject", ["namespaces", "pods"]);
  if (field === undefined) return undefined;
  return selectionAt(report, value, path, flavour);
}

function checkPeer(
  report: Report,
  value: unknown,
  path: string,
  flavour: Flavour,
  direction: Direction,
  action: TierAction | undefined,
): ClusterPeer | undefined {
  const allowed = direction === "ingress" ? ["namespaces", "pods"] : flavour.egressPeers;
  if (!objectAt(report, value, path, `a peer: one of ${allowed.join(", ")}`)) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === "nodes" && direction === "egress") {
    report.add(
      childPath(path, "nodes"),
      value.nodes,
      "selects nodes, which are not part of the estate netseg evaluates; write the nodes' subnets as a networks peer",
    );
    return undefined;
  }
  if (keys.length === 1 && keys[0] === "networks" && direction === "ingress") {
    report.add(
      childPath(path, "networks"),
      value.networks,
      `is not an ingress peer of ${flavour.label}: from takes namespaces and pods only; ` +
        "limit sources by address in a NetworkPolicy ipBlock, or select the source pods",
    );
    return undefined;
  }
  const field = oneFieldOf(report, value, path, `an ${direction} peer of ${flavour.label}`, allowed);
  if (field === undefined) return undefined;
  if (field === "namespaces" || field === "pods") return selectionAt(report, value, path, flavour);
  return checkAddressPeer(report, value[field], childPath(path, field), field, action);
}

/**
 * An egress peer by address: `networks` (CIDRs), or `domainNames`, which match nothing in netseg's verdicts
 * (it has no DNS answers) and so get a warning.
 */
function checkAddressPeer(
  report: Report,
  list: unknown,
  listPath: string,
  field: string,
  action: TierAction | undefined,
): ClusterPeer | undefined {
  if (!arrayAt(report, list, listPath, field === "networks" ? "CIDRs" : "domain names")) return undefined;
  if (list.length === 0 || list.length > 25) {
    report.add(listPath, list, "must list from 1 to 25 entries");
  }
  if (field === "domainNames") {
    list.forEach((name, i) => {
      stringAt(report, name, childPath(listPath, i));
    });
    if (action === "Deny") {
      report.add(listPath, list, "can only be used with Accept or Pass rules; deny by networks instead");
    }
    report.warn(
      listPath,
      list,
      "is not evaluated: netseg has no DNS answers, so this peer matches no connection in its verdicts",
    );
    return { domainNames: list.filter((name): name is string => typeof name === "string") };
  }
  const networks: string[] = [];
  list.forEach((cidr, i) => {
    const at = childPath(listPath, i);
    if (!stringAt(report, cidr, at)) return;
    const checked = checkCidr(cidr);
    if (checked.ok) networks.push(checked.cidr);
    else report.add(at, cidr, `${checked.error.problem}; ${checked.error.fix}`);
  });
  return { networks };
}

function rangeAt(report: Report, value: Json, path: string, startKey: string, endKey: string) {
  const { [startKey]: start, [endKey]: end } = value;
  let ok = true;
  for (const [key, port] of [
    [startKey, start],
    [endKey, end],
  ] as const) {
    if (!isPortNumber(port)) {
      report.add(childPath(path, key), port, "is not a port number from 1 to 65535");
      ok = false;
    }
  }
  if (ok && (start as number) >= (end as number)) {
    report.add(
      childPath(path, endKey),
      end,
      `must be greater than ${startKey} ${start as number}; for one port write a number`,
    );
    ok = false;
  }
  return ok ? { start: start as number, end: end as number } : undefined;
}

/** v1alpha1 and EKS: `[{portNumber: {port, protocol}} | {portRange: {start, end, protocol}} | {namedPort}]`. */
function checkPortsList(report: Report, value: unknown[], path: string): ClusterPort[] {
  const ports: ClusterPort[] = [];
  value.forEach((entry, i) => {
    const at = childPath(path, i);
    if (!objectAt(report, entry, at, "{portNumber}, {portRange} or {namedPort}")) return;
    const field = oneFieldOf(report, entry, at, "a port", ["portNumber", "portRange", "namedPort"]);
    if (field === undefined) return;
    const fieldPath = childPath(at, field);
    const body = entry[field];
    if (field === "namedPort") {
      const problem = typeof body === "string" ? portNameProblem(body) : "is not a port name";
      if (problem) report.add(fieldPath, body, problem);
      else ports.push({ namedPort: body as string });
      return;
    }
    if (
      !objectAt(
        report,
        body,
        fieldPath,
        field === "portNumber" ? "{port, protocol}" : "{start, end, protocol}",
      )
    )
      return;
    const keys = field === "portNumber" ? ["port", "protocol"] : ["start", "end", "protocol"];
    onlyKeys(report, body, fieldPath, `a ${field}`, keys);
    if (!protocolAt(report, body.protocol, childPath(fieldPath, "protocol"))) return;
    const protocol: Protocol = (body.protocol as Protocol | undefined) ?? "TCP";
    if (field === "portNumber") {
      if (isPortNumber(body.port)) ports.push({ protocol, port: body.port });
      else report.add(childPath(fieldPath, "port"), body.port, "is not a port number from 1 to 65535");
      return;
    }
    const range = rangeAt(report, body, fieldPath, "start", "end");
    if (range) ports.push({ protocol, ...range });
  });
  return ports;
}

const UPSTREAM_PROTOCOLS: Readonly<Record<string, Protocol>> = { tcp: "TCP", udp: "UDP", sctp: "SCTP" };

/** v1alpha2: `[{tcp|udp|sctp: {destinationPort: {number} | {range: {start, end}}}} | {destinationNamedPort}]`. */
function checkProtocols(report: Report, value: unknown[], path: string): ClusterPort[] {
  const ports: ClusterPort[] = [];
  const fields = ["tcp", "udp", "sctp", "destinationNamedPort"];
  value.forEach((entry, i) => {
    const at = childPath(path, i);
    if (!objectAt(report, entry, at, "{tcp}, {udp}, {sctp} or {destinationNamedPort}")) return;
    const field = oneFieldOf(report, entry, at, "a protocols entry", fields);
    if (field === undefined) return;
    const fieldPath = childPath(at, field);
    const body = entry[field];
    if (field === "destinationNamedPort") {
      const problem = typeof body === "string" ? portNameProblem(body) : "is not a port name";
      if (problem) report.add(fieldPath, body, problem);
      else ports.push({ namedPort: body as string });
      return;
    }
    const protocol = UPSTREAM_PROTOCOLS[field]!;
    if (!objectAt(report, body, fieldPath, "{destinationPort}")) return;
    onlyKeys(report, body, fieldPath, `a ${field} match`, ["destinationPort"]);
    const portPath = childPath(fieldPath, "destinationPort");
    if (!objectAt(report, body.destinationPort, portPath, "{number} or {range: {start, end}}")) return;
    const port = body.destinationPort;
    const kind = oneFieldOf(report, port, portPath, "a destinationPort", ["number", "range"]);
    if (kind === undefined) return;
    if (kind === "number") {
      if (isPortNumber(port.number)) ports.push({ protocol, port: port.number });
      else report.add(childPath(portPath, "number"), port.number, "is not a port number from 1 to 65535");
      return;
    }
    const rangePath = childPath(portPath, "range");
    if (!objectAt(report, port.range, rangePath, "{start, end}")) return;
    onlyKeys(report, port.range, rangePath, "a port range", ["start", "end"]);
    const range = rangeAt(report, port.range, rangePath, "start", "end");
    if (range) ports.push({ protocol, ...range });
  });
  return ports;
}

function checkRules(report: Report, value: unknown, path: string, flavour: Flavour, direction: Direction) {
  const rules: ClusterRule[] = [];
  if (value === undefined || !arrayAt(report, value, path, "rules")) return rules;
  if (value.length > flavour.maxRules) {
    report.add(
      path,
      `${value.length} rules`,
      `has more than the ${flavour.maxRules} rules ${flavour.label} allows`,
    );
  }
  const peersKey = direction === "ingress" ? "from" : "to";
  value.forEach((rule, i) => {
    const at = childPath(path, i);
    if (!objectAt(report, rule, at, `{name, action, ${peersKey}, ${flavour.ports}}`)) return;
    onlyKeys(report, rule, at, `a ${flavour.label} rule`, ["name", "action", peersKey, flavour.ports]);
    if (rule.name !== undefined && (typeof rule.name !== "string" || rule.name.length > 100)) {
      report.add(childPath(at, "name"), rule.name, "is not a string of at most 100 characters");
    }
    const action = checkAction(report, rule.action, childPath(at, "action"), flavour);
    const peers = checkRulePeers(report, rule[peersKey], childPath(at, peersKey), flavour, direction, action);
    const ports = checkRulePorts(report, rule[flavour.ports], childPath(at, flavour.ports), flavour, peers);
    if (action === undefined) return;
    rules.push({
      ...(typeof rule.name === "string" ? { name: rule.name } : {}),
      action,
      peers,
      ...(ports ? { ports } : {}),
    });
  });
  return rules;
}

/** A rule's action in the flavour's words (Accept or Allow, Pass where the tier has it). */
function checkAction(report: Report, value: unknown, path: string, flavour: Flavour): TierAction | undefined {
  const words = Object.keys(flavour.actions);
  const action = typeof value === "string" ? flavour.actions[value] : undefined;
  if (value === undefined) {
    report.add(path, undefined, `is required; use ${words.join(", ")}`);
  } else if (action === undefined) {
    const hint =
      value === "Allow" ? " (the EKS guide says Allow; the CRD the cluster runs takes Accept)" : "";
    const tierNote =
      flavour.kind === "BaselineAdminNetworkPolicy" && value === "Pass"
        ? " (Pass only exists in the Admin tier of this API)"
        : "";
    report.add(
      path,
      value,
      `is not an action of ${flavour.label}; use ${words.join(", ")}${hint}${tierNote}`,
    );
  }
  return action;
}

/** A rule's peers, at least one; a peer with problems stays in the list as one that matches nothing. */
function checkRulePeers(
  report: Report,
  value: unknown,
  path: string,
  flavour: Flavour,
  direction: Direction,
  action: TierAction | undefined,
): ClusterPeer[] {
  const peers: ClusterPeer[] = [];
  if (value === undefined) {
    report.add(path, undefined, `is required: a rule of ${flavour.label} lists at least one peer`);
  } else if (arrayAt(report, value, path, "peers")) {
    if (value.length === 0) report.add(path, value, "must list at least one peer");
    value.forEach((peer, j) => {
      const checked = checkPeer(report, peer, childPath(path, j), flavour, direction, action);
      // Keep the numbering of the input, so a verdict's peer index points at what the author wrote.
      peers.push(checked ?? { networks: [] });
    });
  }
  return peers;
}

/** A rule's ports (or protocols, in that flavour); undefined when the rule leaves them out: every port. */
function checkRulePorts(
  report: Report,
  value: unknown,
  path: string,
  flavour: Flavour,
  peers: readonly ClusterPeer[],
): ClusterPort[] | undefined {
  if (value === undefined || !arrayAt(report, value, path, "ports")) return undefined;
  if (value.length === 0) report.add(path, value, "must list at least one port; leave it out for every port");
  const ports =
    flavour.ports === "ports" ? checkPortsList(report, value, path) : checkProtocols(report, value, path);
  const addressPeer = peers.some((peer) => "networks" in peer || "domainNames" in peer);
  if (flavour.ports === "protocols" && addressPeer && ports.some((port) => "namedPort" in port)) {
    report.add(
      path,
      value,
      "names a port, but networks and domainNames peers have no named ports; give numbers",
    );
  }
  return ports;
}

/** The policy's name; a BaselineAdminNetworkPolicy must be named default. Empty when it has none. */
function checkPolicyName(report: Report, metadata: unknown, path: string, flavour: Flavour): string {
  if (
    !objectAt(report, metadata, path, "{name}") ||
    !stringAt(report, metadata.name, childPath(path, "name"))
  ) {
    return "";
  }
  const name = metadata.name as string;
  if (flavour.kind === "BaselineAdminNetworkPolicy" && name !== "default") {
    report.add(
      childPath(path, "name"),
      name,
      'is not "default"; the API allows one BaselineAdminNetworkPolicy, named default',
    );
  }
  return name;
}

/**
 * The tier (fixed by the flavour, or the spec's in the flavour that has both) and the priority of the
 * flavours that take one.
 */
function checkTierAndPriority(
  report: Report,
  spec: Json,
  specPath: string,
  flavour: Flavour,
): { tier: ClusterPolicy["tier"] | undefined; priority: number | undefined } {
  let tier = flavour.tier;
  if (tier === undefined) {
    if (spec.tier === "Admin" || spec.tier === "Baseline") tier = spec.tier;
    else
      report.add(
        childPath(specPath, "tier"),
        spec.tier,
        `${spec.tier === undefined ? "is required" : "is not a tier"}; use Admin or Baseline`,
      );
  }
  let priority: number | undefined;
  if (flavour.hasPriority) {
    const p = spec.priority;
    if (typeof p === "number" && Number.isInteger(p) && p >= 0 && p <= 1000) priority = p;
    else
      report.add(
        childPath(specPath, "priority"),
        p,
        `${p === undefined ? "is required" : "is not a priority"}; use an integer from 0 to 1000, lower runs first`,
      );
  }
  return { tier, priority };
}

/**
 * Checks a cluster-tier object (one `isClusterTierObject` accepts) and returns it normalised, or
 * undefined when it has problems (all reported).
 */
export function checkClusterPolicy(report: Report, value: Json, path: string): ClusterPolicy | undefined {
  const before = report.issues.length;
  const flavour = flavourOf(value);
  if (!flavour) {
    const versions = CLUSTER_TIER_FLAVOURS.filter((f) => f.kind === value.kind).map((f) => f.apiVersion);
    report.add(
      childPath(path, "apiVersion"),
      value.apiVersion,
      `is not an apiVersion of ${String(value.kind)}; use ${versions.join(" or ")}`,
    );
    return undefined;
  }
  onlyKeys(report, value, path, `a ${flavour.label}`, ["apiVersion", "kind", "metadata", "spec", "status"]);
  const name = checkPolicyName(report, value.metadata, childPath(path, "metadata"), flavour);
  const specPath = childPath(path, "spec");
  if (!objectAt(report, value.spec, specPath, `a ${flavour.label} spec`)) return undefined;
  const spec = value.spec;
  const specKeys = [
    ...(flavour.tier === undefined ? ["tier"] : []),
    ...(flavour.hasPriority ? ["priority"] : []),
    "subject",
    "ingress",
    "egress",
  ];
  onlyKeys(report, spec, specPath, `a ${flavour.label} spec`, specKeys);
  const { tier, priority } = checkTierAndPriority(report, spec, specPath, flavour);
  const subject = checkSubject(report, spec.subject, childPath(specPath, "subject"), flavour);
  const ingress = checkRules(report, spec.ingress, childPath(specPath, "ingress"), flavour, "ingress");
  const egress = checkRules(report, spec.egress, childPath(specPath, "egress"), flavour, "egress");
  if (report.issues.length > before || tier === undefined || subject === undefined) return undefined;
  return {
    apiVersion: flavour.apiVersion,
    kind: flavour.kind,
    name,
    tier,
    ...(priority === undefined ? {} : { priority }),
    subject,
    ingress,
    egress,
  };
}
