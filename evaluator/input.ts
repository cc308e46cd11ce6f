/**
 * Validation of everything the evaluator reads: the estate (namespaces, pods, NetworkPolicies), probes
 * and matrix ports. It accepts what the Kubernetes API server would accept, refuses unknown fields (a
 * misspelt `namespaceSelector` would otherwise widen a rule without a word), and reports every problem at
 * once with its path. What passes is safe to compile: the evaluator itself never meets a malformed value.
 */
import type { NetworkPolicy } from "../core/k8s";
import { NAMESPACE_NAME_LABEL, namespaceNameProblem } from "../core/labels";
import { checkAddress, checkCidr, cidrToRange, rangeContains } from "./addresses";
import {
  arrayAt,
  checkSelector,
  childPath,
  isPortNumber,
  isRecord,
  type Json,
  labelsAt,
  objectAt,
  onlyKeys,
  portNameProblem,
  protocolAt,
  Report,
  stringAt,
} from "./check";
import { checkClusterPolicy, isClusterTierObject } from "./clusterInput";
import { type InputIssue, throwIfAny } from "./errors";
import type {
  ClusterPolicy,
  ClusterTierManifest,
  ContainerPort,
  Endpoint,
  Estate,
  NamespaceInfo,
  PodInfo,
  Protocol,
} from "./types";

function checkPolicyPort(report: Report, value: unknown, path: string): void {
  if (!objectAt(report, value, path, "{protocol, port, endPort}")) return;
  onlyKeys(report, value, path, "a policy port", ["protocol", "port", "endPort"]);
  protocolAt(report, value.protocol, childPath(path, "protocol"));
  const { port, endPort } = value;
  const portPath = childPath(path, "port");
  if (typeof port === "string") {
    const problem = portNameProblem(port);
    if (problem) report.add(portPath, port, problem);
  } else if (port !== undefined && !isPortNumber(port)) {
    report.add(portPath, port, "is not a port: use a number from 1 to 65535 or a container port's name");
  }
  if (endPort === undefined) return;
  const endPath = childPath(path, "endPort");
  if (!isPortNumber(endPort)) {
    report.add(endPath, endPort, "is not a port number from 1 to 65535");
  } else if (typeof port !== "number") {
    report.add(endPath, endPort, "needs a numeric `port` to start the range; named ports cannot have one");
  } else if (endPort < port) {
    report.add(endPath, endPort, `is below port ${port}; the range is port..endPort`);
  }
}

function checkIpBlock(report: Report, value: unknown, path: string): void {
  if (!objectAt(report, value, path, "{cidr, except}")) return;
  onlyKeys(report, value, path, "an ipBlock", ["cidr", "except"]);
  const cidrPath = childPath(path, "cidr");
  let cidr: string | undefined;
  if (stringAt(report, value.cidr, cidrPath)) {
    const checked = checkCidr(value.cidr);
    if (checked.ok) cidr = checked.cidr;
    else report.add(cidrPath, value.cidr, `${checked.error.problem}; ${checked.error.fix}`);
  }
  const exceptPath = childPath(path, "except");
  if (value.except === undefined || !arrayAt(report, value.except, exceptPath, "CIDRs")) return;
  value.except.forEach((item, i) => {
    const at = childPath(exceptPath, i);
    if (!stringAt(report, item, at)) return;
    const checked = checkCidr(item);
    if (!checked.ok) {
      report.add(at, item, `${checked.error.problem}; ${checked.error.fix}`);
    } else if (
      cidr !== undefined &&
      (checked.cidr === cidr || !rangeContains(cidrToRange(cidr), cidrToRange(checked.cidr)))
    ) {
      // The API server refuses an except that is not strictly inside its cidr (kubernetes PR #86578).
      report.add(at, item, `is not strictly inside ${cidr}; an except can only carve a part out of its cidr`);
    }
  });
}

function checkPeer(report: Report, value: unknown, path: string): void {
  if (!objectAt(report, value, path, "{podSelector, namespaceSelector} or {ipBlock}")) return;
  onlyKeys(report, value, path, "a peer", ["podSelector", "namespaceSelector", "ipBlock"]);
  const hasSelector = value.podSelector !== undefined || value.namespaceSelector !== undefined;
  if (value.ipBlock !== undefined && hasSelector) {
    report.add(path, value, "mixes ipBlock with selectors; put them in separate peers");
    return;
  }
  if (value.ipBlock === undefined && !hasSelector) {
    report.add(path, value, "selects nothing; give a podSelector, a namespaceSelector or an ipBlock");
    return;
  }
  if (value.podSelector !== undefined)
    checkSelector(report, value.podSelector, childPath(path, "podSelector"));
  if (value.namespaceSelector !== undefined) {
    checkSelector(report, value.namespaceSelector, childPath(path, "namespaceSelector"));
  }
  if (value.ipBlock !== undefined) checkIpBlock(report, value.ipBlock, childPath(path, "ipBlock"));
}

function checkRules(report: Report, value: unknown, path: string, peersKey: "from" | "to"): void {
  if (value === undefined || !arrayAt(report, value, path, "rules")) return;
  value.forEach((rule, i) => {
    const at = childPath(path, i);
    if (!objectAt(report, rule, at, `{${peersKey}, ports}`)) return;
    onlyKeys(report, rule, at, "a rule", [peersKey, "ports"]);
    const peers = rule[peersKey];
    const peersPath = childPath(at, peersKey);
    if (peers !== undefined && arrayAt(report, peers, peersPath, "peers")) {
      for (const [j, peer] of peers.entries()) checkPeer(report, peer, childPath(peersPath, j));
    }
    const ports = rule.ports;
    const portsPath = childPath(at, "ports");
    if (ports !== undefined && arrayAt(report, ports, portsPath, "ports")) {
      for (const [j, port] of ports.entries()) checkPolicyPort(report, port, childPath(portsPath, j));
    }
  });
}

function checkPolicy(report: Report, value: unknown, path: string, namespaces: ReadonlySet<string>): boolean {
  if (!objectAt(report, value, path, "a NetworkPolicy")) return false;
  const before = report.issues.length;
  onlyKeys(report, value, path, "a NetworkPolicy", ["apiVersion", "kind", "metadata", "spec", "status"]);
  if (value.kind !== undefined && value.kind !== "NetworkPolicy") {
    report.add(childPath(path, "kind"), value.kind, "is not NetworkPolicy");
  }
  if (value.apiVersion !== undefined && value.apiVersion !== "networking.k8s.io/v1") {
    report.add(childPath(path, "apiVersion"), value.apiVersion, "is not networking.k8s.io/v1");
  }
  const metadataPath = childPath(path, "metadata");
  if (objectAt(report, value.metadata, metadataPath, "{name, namespace}")) {
    stringAt(report, value.metadata.name, childPath(metadataPath, "name"));
    const namespace = value.metadata.namespace;
    const namespacePath = childPath(metadataPath, "namespace");
    if (stringAt(report, namespace, namespacePath) && !namespaces.has(namespace)) {
      report.add(namespacePath, namespace, "is not a namespace of the input");
    }
  }
  const specPath = childPath(path, "spec");
  if (objectAt(report, value.spec, specPath, "a NetworkPolicy spec")) {
    const spec = value.spec;
    onlyKeys(report, spec, specPath, "a NetworkPolicy spec", [
      "podSelector",
      "policyTypes",
      "ingress",
      "egress",
    ]);
    if (spec.podSelector === undefined) {
      report.add(
        childPath(specPath, "podSelector"),
        undefined,
        "is required; {} selects every pod of the namespace",
      );
    } else {
      checkSelector(report, spec.podSelector, childPath(specPath, "podSelector"));
    }
    const typesPath = childPath(specPath, "policyTypes");
    if (spec.policyTypes !== undefined && arrayAt(report, spec.policyTypes, typesPath, "policy types")) {
      spec.policyTypes.forEach((type, i) => {
        if (type !== "Ingress" && type !== "Egress") {
          report.add(childPath(typesPath, i), type, "is not a policy type; use Ingress or Egress");
        } else if (spec.policyTypes !== undefined && (spec.policyTypes as unknown[]).indexOf(type) !== i) {
          report.add(childPath(typesPath, i), type, "is listed twice");
        }
      });
    }
    checkRules(report, spec.ingress, childPath(specPath, "ingress"), "from");
    checkRules(report, spec.egress, childPath(specPath, "egress"), "to");
  }
  return report.issues.length === before;
}

function checkNamespace(report: Report, value: unknown, path: string): NamespaceInfo | undefined {
  if (!objectAt(report, value, path, "{name, labels}")) return undefined;
  onlyKeys(report, value, path, "a namespace", ["name", "labels"]);
  const namePath = childPath(path, "name");
  if (!stringAt(report, value.name, namePath)) return undefined;
  // A bad name is reported here but still registered, so pods and policies in it do not add noise.
  const nameProblem = namespaceNameProblem(value.name);
  if (nameProblem) report.add(namePath, value.name, nameProblem);
  const labelsPath = childPath(path, "labels");
  const labels = labelsAt(report, value.labels, labelsPath);
  const own = labels[NAMESPACE_NAME_LABEL];
  if (own !== undefined && own !== value.name) {
    report.add(
      childPath(labelsPath, NAMESPACE_NAME_LABEL),
      own,
      `differs from the namespace's name "${value.name}"; the API server always sets it to the name`,
    );
  }
  return { name: value.name, labels: { ...labels, [NAMESPACE_NAME_LABEL]: value.name } };
}

function checkContainerPorts(report: Report, value: unknown, path: string): ContainerPort[] {
  if (value === undefined || !arrayAt(report, value, path, "container ports")) return [];
  const ports: ContainerPort[] = [];
  const names = new Set<string>();
  value.forEach((item, i) => {
    const at = childPath(path, i);
    if (!objectAt(report, item, at, "{name, containerPort, protocol}")) return;
    onlyKeys(report, item, at, "a container port", ["name", "containerPort", "protocol"]);
    const { name, containerPort, protocol } = item;
    let ok = protocolAt(report, protocol, childPath(at, "protocol"));
    if (!isPortNumber(containerPort)) {
      report.add(childPath(at, "containerPort"), containerPort, "is not a port number from 1 to 65535");
      ok = false;
    }
    if (name !== undefined) {
      const problem = typeof name === "string" ? portNameProblem(name) : "is not a string";
      if (problem) report.add(childPath(at, "name"), name, problem);
      else if (names.has(name as string))
        report.add(childPath(at, "name"), name, "names two ports of the pod");
      else names.add(name as string);
      ok &&= problem === undefined;
    }
    if (ok) {
      ports.push({
        ...(name === undefined ? {} : { name: name as string }),
        containerPort: containerPort as number,
        protocol: (protocol as Protocol | undefined) ?? "TCP",
      });
    }
  });
  return ports;
}

function checkPod(report: Report, value: unknown, path: string, namespaces: ReadonlySet<string>) {
  if (!objectAt(report, value, path, "{namespace, name, labels, ip, ports}")) return undefined;
  onlyKeys(report, value, path, "a pod", ["namespace", "name", "labels", "ip", "ports"]);
  const namespacePath = childPath(path, "namespace");
  const namespaceOk = stringAt(report, value.namespace, namespacePath);
  if (namespaceOk && !namespaces.has(value.namespace as string)) {
    report.add(namespacePath, value.namespace, "is not a namespace of the input");
  }
  const nameOk = stringAt(report, value.name, childPath(path, "name"));
  const labels = labelsAt(report, value.labels, childPath(path, "labels"));
  const ipPath = childPath(path, "ip");
  let ip: string | undefined;
  if (stringAt(report, value.ip, ipPath)) {
    const checked = checkAddress(value.ip);
    if (checked.ok) ip = checked.address;
    else report.add(ipPath, value.ip, `${checked.error.problem}; ${checked.error.fix}`);
  }
  const ports = checkContainerPorts(report, value.ports, childPath(path, "ports"));
  if (!namespaceOk || !nameOk || ip === undefined) return undefined;
  const pod: PodInfo = {
    namespace: value.namespace as string,
    name: value.name as string,
    labels,
    ip,
    ports,
  };
  return pod;
}

/** An estate as validation returns it, with its cluster-tier policies normalised. */
export interface CheckedEstate {
  estate: Estate;
  /** In input order (policies first, then clusterPolicies), each with the path it was read from. */
  clusterPolicies: { policy: ClusterPolicy; path: string }[];
  /** What the evaluator accepts but does not evaluate, or evaluates with a caveat. */
  warnings: InputIssue[];
}

/**
 * Checks an estate and returns it normalised: every namespace carries `kubernetes.io/metadata.name`,
 * container ports carry their protocol, and pod addresses have no mask. Cluster-tier objects found in
 * `policies` move to `clusterPolicies`. Throws `InputError` with every problem found.
 */
export function validateEstate(raw: unknown): Estate {
  return checkEstate(raw).estate;
}

/** `validateEstate`, with the normalised cluster-tier policies and the warnings. */
export function checkEstate(raw: unknown): CheckedEstate {
  const report = new Report();
  const checked = estateFrom(report, raw, "");
  throwIfAny(report.issues);
  return { ...checked, warnings: report.warnings };
}

function estateFrom(report: Report, raw: unknown, path: string): Omit<CheckedEstate, "warnings"> {
  const estate: Estate = { namespaces: [], pods: [], policies: [], clusterPolicies: [] };
  const clusterPolicies: CheckedEstate["clusterPolicies"] = [];
  if (!objectAt(report, raw, path || "(input)", "{namespaces, pods, policies}")) {
    return { estate, clusterPolicies };
  }
  estate.namespaces = namespacesFrom(report, raw.namespaces ?? [], childPath(path, "namespaces"));
  const namespaceNames = new Set(estate.namespaces.map((ns) => ns.name));
  estate.pods = podsFrom(report, raw.pods ?? [], childPath(path, "pods"), namespaceNames);
  const takeClusterPolicy = clusterPolicyTaker(report, (item, policy, at) => {
    clusterPolicies.push({ policy, path: at });
    estate.clusterPolicies!.push(item as ClusterTierManifest);
  });

  const policiesPath = childPath(path, "policies");
  const policies = raw.policies ?? [];
  if (arrayAt(report, policies, policiesPath, "NetworkPolicies and cluster-tier policies")) {
    const seen = new Set<string>();
    for (const [i, item] of policies.entries()) {
      const at = childPath(policiesPath, i);
      if (isClusterTierObject(item)) {
        takeClusterPolicy(item, at);
        continue;
      }
      if (!checkPolicy(report, item, at, namespaceNames)) continue;
      const policy = item as NetworkPolicy;
      const key = `${policy.metadata!.namespace}/${policy.metadata!.name}`;
      if (seen.has(key)) report.add(childPath(at, "metadata"), key, "is listed twice");
      else {
        seen.add(key);
        estate.policies.push(policy);
      }
    }
  }

  const clusterPath = childPath(path, "clusterPolicies");
  const cluster = raw.clusterPolicies ?? [];
  if (arrayAt(report, cluster, clusterPath, "cluster-tier policies")) {
    for (const [i, item] of cluster.entries()) {
      const at = childPath(clusterPath, i);
      if (isClusterTierObject(item)) takeClusterPolicy(item, at);
      else {
        const kind = isRecord(item) ? item.kind : undefined;
        report.add(
          childPath(at, "kind"),
          kind,
          "is not a cluster-tier kind; use ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy",
        );
      }
    }
  }
  return { estate, clusterPolicies };
}

/** The namespaces that check out, each name once. */
function namespacesFrom(report: Report, list: unknown, path: string): Estate["namespaces"] {
  const namespaces: Estate["namespaces"] = [];
  if (!arrayAt(report, list, path, "namespaces")) return namespaces;
  const names = new Set<string>();
  list.forEach((item, i) => {
    const namespace = checkNamespace(report, item, childPath(path, i));
    if (!namespace) return;
    if (names.has(namespace.name)) {
      report.add(childPath(childPath(path, i), "name"), namespace.name, "is listed twice");
      return;
    }
    names.add(namespace.name);
    namespaces.push(namespace);
  });
  return namespaces;
}

/** The pods that check out, in namespaces of the estate, each name and each address once. */
function podsFrom(
  report: Report,
  list: unknown,
  path: string,
  namespaceNames: ReadonlySet<string>,
): Estate["pods"] {
  const pods: Estate["pods"] = [];
  if (!arrayAt(report, list, path, "pods")) return pods;
  const seen = new Set<string>();
  const ips = new Map<string, string>();
  for (const [i, item] of list.entries()) {
    const at = childPath(path, i);
    const pod = checkPod(report, item, at, namespaceNames);
    if (!pod) continue;
    const key = `${pod.namespace}/${pod.name}`;
    const owner = ips.get(pod.ip);
    if (seen.has(key)) report.add(childPath(at, "name"), pod.name, `is listed twice in ${pod.namespace}`);
    else if (owner) report.add(childPath(at, "ip"), pod.ip, `is also the address of pod ${owner}`);
    else {
      seen.add(key);
      ips.set(pod.ip, key);
      pods.push(pod);
    }
  }
  return pods;
}

/**
 * Checks cluster-tier policies as they come, from `policies` or `clusterPolicies`, and hands on each one
 * that checks out and whose name is not taken: one name per kind, and one BaselineAdminNetworkPolicy.
 */
function clusterPolicyTaker(
  report: Report,
  take: (item: unknown, policy: ClusterPolicy, at: string) => void,
): (item: unknown, at: string) => void {
  const clusterNames = new Map<string, string>();
  return (item, at) => {
    const policy = checkClusterPolicy(report, item as Record<string, unknown>, at);
    if (!policy) return;
    // Cluster-scoped names are unique per kind; the two ClusterNetworkPolicy APIs are separate resources.
    const key = `${policy.apiVersion} ${policy.kind} ${policy.name}`;
    const seen = clusterNames.get(key);
    if (seen) {
      report.add(childPath(childPath(at, "metadata"), "name"), policy.name, `is also the name of ${seen}`);
      return;
    }
    const banp = [...clusterNames.entries()].find(([k]) => k.includes(" BaselineAdminNetworkPolicy "));
    if (policy.kind === "BaselineAdminNetworkPolicy" && banp) {
      report.add(
        at,
        policy.name,
        `is a second BaselineAdminNetworkPolicy (the first is ${banp[1]}); the API allows one`,
      );
      return;
    }
    clusterNames.set(key, at);
    take(item, policy, at);
  };
}

/** What probe and matrix checks need to know about the estate. */
export interface EstateLookup {
  hasNamespace(name: string): boolean;
  pod(namespace: string, name: string): PodInfo | undefined;
  podByIp(ip: string): PodInfo | undefined;
}

/** Checks an endpoint and returns it normalised (an address without mask), or undefined after reporting. */
function endpointAt(
  report: Report,
  value: unknown,
  path: string,
  lookup: EstateLookup,
): Endpoint | undefined {
  if (!objectAt(report, value, path, "{namespace, pod} or {ip}")) return undefined;
  if (value.ip !== undefined) {
    onlyKeys(report, value, path, "an address endpoint", ["ip"]);
    const ipPath = childPath(path, "ip");
    if (!stringAt(report, value.ip, ipPath)) return undefined;
    const checked = checkAddress(value.ip);
    if (checked.ok) return { ip: checked.address };
    report.add(ipPath, value.ip, `${checked.error.problem}; ${checked.error.fix}`);
    return undefined;
  }
  onlyKeys(report, value, path, "a pod endpoint", ["namespace", "pod"]);
  const namespacePath = childPath(path, "namespace");
  const podPath = childPath(path, "pod");
  if (!stringAt(report, value.namespace, namespacePath)) return undefined;
  if (!lookup.hasNamespace(value.namespace)) {
    report.add(namespacePath, value.namespace, "is not a namespace of the input");
    return undefined;
  }
  if (!stringAt(report, value.pod, podPath)) return undefined;
  if (lookup.pod(value.namespace, value.pod)) return { namespace: value.namespace, pod: value.pod };
  report.add(podPath, value.pod, `is not a pod of namespace "${value.namespace}"`);
  return undefined;
}

/** The pod an endpoint designates, by name or by address; undefined for an address outside the pods. */
export function podOf(endpoint: Endpoint, lookup: EstateLookup): PodInfo | undefined {
  return "ip" in endpoint ? lookup.podByIp(endpoint.ip) : lookup.pod(endpoint.namespace, endpoint.pod);
}

/** Checks `port` and `protocol` on their own; returns the port name to resolve, if it is one. */
function portAt(report: Report, value: Json, path: string): { ok: boolean; name?: string } {
  const portPath = childPath(path, "port");
  const { port } = value;
  const protocolOk = protocolAt(report, value.protocol, childPath(path, "protocol"));
  if (port === undefined) {
    report.add(portPath, port, "is required: a number from 1 to 65535 or a container port's name");
    return { ok: false };
  }
  if (isPortNumber(port)) return { ok: protocolOk };
  if (typeof port !== "string") {
    report.add(portPath, port, "is not a port: use a number from 1 to 65535 or a container port's name");
    return { ok: false };
  }
  const problem = portNameProblem(port);
  if (problem) report.add(portPath, port, problem);
  return { ok: protocolOk && problem === undefined, name: port };
}

function namedPortOf(pod: PodInfo, name: string): ContainerPort | undefined {
  return (pod.ports ?? []).find((port) => port.name === name);
}

/** A probe's named port must exist on its destination pod, with the probe's protocol if it gives one. */
function checkProbePort(report: Report, value: Json, path: string, destination: PodInfo | undefined): void {
  const { ok, name } = portAt(report, value, path);
  if (!ok || name === undefined) return;
  const portPath = childPath(path, "port");
  if (!destination) {
    report.add(portPath, name, "names a container port, but the destination is not a pod; give a number");
    return;
  }
  const pod = `${destination.namespace}/${destination.name}`;
  const named = namedPortOf(destination, name);
  if (!named) {
    const names = (destination.ports ?? []).flatMap((port) => (port.name ? [port.name] : []));
    const has = names.length > 0 ? `it has ${names.join(", ")}` : "it has no named ports";
    report.add(portPath, name, `is not a port of pod ${pod} (${has})`);
  } else if (value.protocol !== undefined && value.protocol !== (named.protocol ?? "TCP")) {
    const problem = `differs from port "${name}" of pod ${pod}, which is ${named.protocol ?? "TCP"}`;
    report.add(childPath(path, "protocol"), value.protocol, problem);
  }
}

/** Checks a probe against the estate: endpoints exist, a named port exists on the destination pod. */
export function probeIssues(raw: unknown, path: string, lookup: EstateLookup): InputIssue[] {
  const report = new Report();
  if (!objectAt(report, raw, path, "{from, to, port, protocol}")) return report.issues;
  onlyKeys(report, raw, path, "a probe", ["from", "to", "port", "protocol"]);
  const from = endpointAt(report, raw.from, childPath(path, "from"), lookup);
  const to = endpointAt(report, raw.to, childPath(path, "to"), lookup);
  if (!from || !to) {
    portAt(report, raw, path);
    return report.issues;
  }
  const destination = podOf(to, lookup);
  if (!podOf(from, lookup) && !destination) {
    report.add(path, raw, "has no pod at either end; NetworkPolicies only decide connections of pods");
    return report.issues;
  }
  checkProbePort(report, raw, path, destination);
  return report.issues;
}

/**
 * Checks the endpoints and ports of a matrix. A named port only has to exist on some destination pod:
 * cells whose destination lacks it do not apply, but a name no destination has is a typo.
 */
export function matrixIssues(
  sources: readonly unknown[],
  destinations: readonly unknown[],
  ports: readonly unknown[],
  lookup: EstateLookup,
): InputIssue[] {
  const report = new Report();
  for (const [i, endpoint] of sources.entries())
    endpointAt(report, endpoint, childPath("sources", i), lookup);
  const pods = destinations.flatMap((endpoint, i) => {
    const checked = endpointAt(report, endpoint, childPath("destinations", i), lookup);
    const pod = checked && podOf(checked, lookup);
    return pod ? [pod] : [];
  });
  ports.forEach((port, i) => {
    const at = childPath("ports", i);
    if (!objectAt(report, port, at, "{port, protocol}")) return;
    onlyKeys(report, port, at, "a matrix port", ["port", "protocol"]);
    const { ok, name } = portAt(report, port, at);
    if (ok && name !== undefined && !pods.some((pod) => namedPortOf(pod, name))) {
      report.add(childPath(at, "port"), name, "is not the name of a container port of any destination pod");
    }
  });
  return report.issues;
}

/** A `netseg probe` file (DESIGN.md section 7), its estate checked; probes are checked against the estate. */
export interface ProbeFile {
  estate: Estate;
  probes: unknown[];
  /** What the estate holds that netseg accepts but does not evaluate (e.g. domainNames peers). */
  warnings: InputIssue[];
}

/** Checks the file's shape and its estate, reporting every problem at once. */
export function parseProbeFile(raw: unknown): ProbeFile {
  const report = new Report();
  const { estate } = estateFrom(report, raw, "");
  let probes: unknown[] = [];
  if (isRecord(raw)) {
    onlyKeys(report, raw, "", "a probe file", ["namespaces", "pods", "policies", "probes"]);
    if (raw.probes === undefined)
      report.add("probes", undefined, "is required: the list of connections to decide");
    else if (arrayAt(report, raw.probes, "probes", "probes")) probes = raw.probes;
  }
  throwIfAny(report.issues);
  return { estate, probes, warnings: report.warnings };
}
