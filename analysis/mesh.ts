/**
 * Both layers at once: every cell of the design check decided by the NetworkPolicies AND the mesh, and the
 * inconsistencies between the two layers as findings. Two layers owned by different people drift apart;
 * these are the drifts that matter:
 *
 *   layers-disagree           the design says the flow is open, and one layer allows it while the other
 *                             denies it
 *   mesh-rule-unreachable     an AuthorizationPolicy admits clients that the NetworkPolicies never let reach
 *                             any pod and port it covers: a rule that can never match
 *   unauthenticated-admitted  a client without an mTLS identity gets into a meshed namespace in the strict
 *                             phase (by a NetworkAuthentication or a permissive default), where the mesh is
 *                             meant to admit identities only
 *
 * `audit` (the migration phase) is not a finding: it is how a namespace learns what strict would refuse,
 * and the report counts the flows that only audit lets through.
 */
import type { AuthorizationPolicyObject } from "../core/linkerd";
import { PROXY_ADMIN_PORT } from "../core/linkerd";
import { type Endpoint, NetworkPolicyEvaluator, type PodInfo, type Protocol } from "../evaluator";
import { MeshAuthorizer, type MeshClient, type MeshVerdict } from "../evaluator/mesh";
import type { SegmentationConfig } from "../model/config";
import { CONTROLLERS } from "../model/controllers";
import {
  controllerServiceAccount,
  monitoringServiceAccount,
  vaultServiceAccount,
} from "../model/mesh/identities";
import { checkDesign, type DesignCell, type DesignReport } from "./design";
import { type PlannedObjects, probeEstate } from "./estate";

export type MeshFindingKind = "layers-disagree" | "mesh-rule-unreachable" | "unauthenticated-admitted";

export interface MeshFinding {
  kind: MeshFindingKind;
  /** What the finding is about: a flow (`from → to port`) or a rule (`AuthorizationPolicy ns/name`). */
  subject: string;
  /** What each layer said, or why the rule never matches. */
  detail: string;
}

export interface LayeredCell extends DesignCell {
  /** The NetworkPolicies' verdict (the design cell's `actual` is the combined one). */
  network: "allow" | "deny";
  mesh: MeshVerdict;
}

export interface MeshReport {
  /** Whether any namespace is meshed; when not, the report is empty. */
  enabled: boolean;
  cells: LayeredCell[];
  /** Cells whose combined verdict is not the design's. */
  violations: (LayeredCell & { decidedBy: string })[];
  findings: MeshFinding[];
  /** Flows the design opens that pass only because a namespace is in audit (the migration phase). */
  auditOnly: number;
}

/** The service accounts the stand-in pods run as, so the mesh sees the identities the real pods have. */
export function standInServiceAccounts(config: SegmentationConfig): Record<string, string> {
  const accounts: Record<string, string> = {};
  for (const controller of CONTROLLERS) {
    accounts[`${controller.namespace}/controller`] = controllerServiceAccount(controller.area).name;
  }
  const monitoring = monitoringServiceAccount(config);
  accounts[`${monitoring.namespace}/prometheus`] = monitoring.name;
  const vault = vaultServiceAccount(config);
  accounts[`${vault.namespace}/vault`] = vault.name;
  return accounts;
}

/** Both layers over the probe estate of a plan. */
export interface Layers {
  network: NetworkPolicyEvaluator;
  mesh: MeshAuthorizer;
}

export function layersOf(
  config: SegmentationConfig,
  objects: PlannedObjects,
  extraPods: readonly Omit<PodInfo, "ip">[] = [],
): Layers {
  const { estate } = probeEstate(config, objects, extraPods);
  const network = new NetworkPolicyEvaluator(estate);
  const mesh = new MeshAuthorizer({
    namespaces: objects.namespaces.map((ns) => ({
      name: ns.metadata?.name ?? "",
      annotations: { ...(ns.metadata?.annotations ?? {}) },
    })),
    objects: objects.linkerd ?? [],
    serviceAccounts: standInServiceAccounts(config),
    clusterNetworks: config.cluster.cidrs,
  });
  return { network, mesh };
}

/** The mesh's client for an endpoint of the estate: a pod (with its address) or an address. */
export function clientOf(network: NetworkPolicyEvaluator, endpoint: Endpoint): MeshClient {
  if ("ip" in endpoint) {
    const address = endpoint.ip.trim().split("/")[0]!;
    const pod = network.podByIp(address);
    return pod ? { pod, ip: pod.ip } : { ip: address };
  }
  const pod = network.pod(endpoint.namespace, endpoint.pod)!;
  return { pod, ip: pod.ip };
}

/** The destination pod of an endpoint, when it is one. */
export function podOf(network: NetworkPolicyEvaluator, endpoint: Endpoint): PodInfo | undefined {
  return "ip" in endpoint
    ? network.podByIp(endpoint.ip.trim().split("/")[0]!)
    : network.pod(endpoint.namespace, endpoint.pod);
}

const NOT_MESHED: MeshVerdict = {
  allowed: true,
  decision: "not-meshed",
  audit: false,
  authenticated: false,
  authorizedBy: [],
  reason: "mesh: no say, the destination is not a pod",
};

/** The mesh's verdict on a connection between endpoints of the estate. */
export function meshVerdict(
  layers: Layers,
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol: Protocol,
): MeshVerdict {
  const destination = podOf(layers.network, to);
  if (!destination) return NOT_MESHED;
  return layers.mesh.decide(clientOf(layers.network, from), destination, port, protocol);
}

function endpointOf(text: string): Endpoint {
  const slash = text.indexOf("/");
  return slash > 0 && !/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(text)
    ? { namespace: text.slice(0, slash), pod: text.slice(slash + 1) }
    : { ip: text };
}

/** The design check with both layers, and the findings where they disagree. */
export function checkMesh(
  config: SegmentationConfig,
  objects: PlannedObjects,
  design?: DesignReport,
): MeshReport {
  const enabled = Object.keys(config.mesh.namespaces).length > 0;
  if (!enabled) return { enabled, cells: [], violations: [], findings: [], auditOnly: 0 };
  const report = design ?? checkDesign(config, objects);
  const layers = layersOf(config, objects);

  const cells: LayeredCell[] = [];
  const violations: MeshReport["violations"] = [];
  const findings: MeshFinding[] = [];
  let auditOnly = 0;
  for (const cell of report.expandCells()) {
    const from = endpointOf(cell.from);
    const to = endpointOf(cell.to);
    const mesh = meshVerdict(layers, from, to, cell.port, cell.protocol);
    const network = cell.actual;
    const combined = network === "allow" && mesh.allowed ? "allow" : "deny";
    const layered: LayeredCell = { ...cell, actual: combined, network, mesh };
    cells.push(layered);
    const subject = `${cell.from} → ${cell.to} ${cell.protocol}/${cell.port}`;
    if (combined !== cell.expected) {
      const decidedBy =
        network === "deny"
          ? layers.network.probe({ from, to, port: cell.port, protocol: cell.protocol }).reason
          : mesh.reason;
      violations.push({ ...layered, decidedBy });
    }
    if (
      cell.expected === "allow" &&
      mesh.decision !== "not-meshed" &&
      (network === "allow") !== mesh.allowed
    ) {
      findings.push({
        kind: "layers-disagree",
        subject,
        detail: `the design opens it (${cell.rule}); NetworkPolicies ${network === "allow" ? "allow" : "deny"} it, ${mesh.reason}`,
      });
    }
    if (cell.expected === "allow" && combined === "allow" && mesh.audit) auditOnly++;
    if (combined === "allow" && unauthenticatedAdmission(config, layers, to, mesh)) {
      findings.push({ kind: "unauthenticated-admitted", subject, detail: mesh.reason });
    }
  }
  findings.push(...unreachableRules(layers), ...networkAuthenticationRules(config, layers));
  return { enabled, cells, violations, findings: dedupe(findings), auditOnly };
}

function strictNamespace(config: SegmentationConfig, namespace: string): boolean {
  return config.mesh.namespaces[namespace] === "strict";
}

function unauthenticatedAdmission(
  config: SegmentationConfig,
  layers: Layers,
  to: Endpoint,
  mesh: MeshVerdict,
): boolean {
  if (mesh.decision === "not-meshed" || mesh.authenticated || mesh.audit || !mesh.allowed) return false;
  const destination = podOf(layers.network, to);
  return destination !== undefined && strictNamespace(config, destination.namespace);
}

/** An AuthorizationPolicy whose clients the NetworkPolicies never let reach what it covers. */
function unreachableRules(layers: Layers): MeshFinding[] {
  const { network, mesh } = layers;
  const pods = network.estate.pods;
  const clients: MeshClient[] = pods.map((pod) => ({ pod, ip: pod.ip }));
  const findings: MeshFinding[] = [];
  for (const policy of mesh
    .objects()
    .filter((o): o is AuthorizationPolicyObject => o.kind === "AuthorizationPolicy")) {
    const admitted = clients.filter((client) => mesh.admits(policy, client));
    // A rule nobody in the estate can satisfy is not the network's doing (an unmeshed area, say).
    if (admitted.length === 0) continue;
    const covered: { pod: PodInfo; port: number }[] = [];
    for (const server of mesh.serversOf(policy)) {
      for (const pod of pods) {
        if (!mesh.selects(server, pod) || !mesh.isMeshed(pod.namespace)) continue;
        const port = portNumber(server.spec.port, pod);
        if (port !== undefined) covered.push({ pod, port });
      }
    }
    if (covered.length === 0) continue;
    const reachable = admitted.some((client) =>
      covered.some(
        ({ pod, port }) =>
          network.probe({
            from: { namespace: client.pod!.namespace, pod: client.pod!.name },
            to: { namespace: pod.namespace, pod: pod.name },
            port,
            protocol: "TCP",
          }).verdict === "allow",
      ),
    );
    if (!reachable) {
      findings.push({
        kind: "mesh-rule-unreachable",
        subject: `AuthorizationPolicy ${policy.metadata.namespace}/${policy.metadata.name}`,
        detail: `admits ${admitted.length} pod(s) of the estate, but the NetworkPolicies deny each of them every pod and port it covers (${covered.length})`,
      });
    }
  }
  return findings;
}

/** Rules that admit by address alone into a strict namespace: no identity is checked at all. */
function networkAuthenticationRules(config: SegmentationConfig, layers: Layers): MeshFinding[] {
  return layers.mesh
    .objects()
    .filter(
      (o): o is AuthorizationPolicyObject =>
        o.kind === "AuthorizationPolicy" &&
        strictNamespace(config, o.metadata.namespace) &&
        o.spec.requiredAuthenticationRefs.length > 0 &&
        o.spec.requiredAuthenticationRefs.every((ref) => ref.kind === "NetworkAuthentication"),
    )
    .map((policy) => ({
      kind: "unauthenticated-admitted" as const,
      subject: `AuthorizationPolicy ${policy.metadata.namespace}/${policy.metadata.name}`,
      detail: "admits clients by address alone (NetworkAuthentication), with no mTLS identity",
    }));
}

function portNumber(port: string | number, pod: PodInfo): number | undefined {
  if (typeof port === "number") return port;
  if (port === PROXY_ADMIN_PORT.name) return PROXY_ADMIN_PORT.number;
  return pod.ports?.find((p) => p.name === port)?.containerPort;
}

function dedupe(findings: MeshFinding[]): MeshFinding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const id = `${finding.kind}|${finding.subject}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
