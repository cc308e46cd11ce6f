/**
 * The Linkerd authorization layer, rendered from the same area rules as the NetworkPolicies
 * (`AREA_RULES` in model/areas.ts): what the L3/4 policies allow by namespace label, the mesh allows by
 * mTLS identity, so the two layers say the same thing in two vocabularies.
 *
 * Per meshed area namespace (a constant number of objects, whatever the size of the estate):
 *
 *   Server netseg-<port>-endpoint      the served port of `endpoint: "true"` pods
 *   Server netseg-<port>-other         the served port of every other pod
 *   Server netseg-proxy-admin          the proxy's admin port (metrics, probes), on every pod
 *   AuthorizationPolicy netseg-...     one per rule of the area's phase: its own namespace (migration),
 *                                      the areas it admits, its controllers, monitoring
 *
 * In the migration phase the rules target the whole namespace (every Server in it), as the migration
 * NetworkPolicies open every pod; in the strict phase they target the endpoint Servers only, monitoring
 * excepted. Identities are shared MeshTLSAuthentications in the control plane's namespace: who the area
 * rules admit into each area in each phase (listing the admitted namespaces' service accounts), each
 * controller, Prometheus, and each area alone for contracts. No per-namespace object lists other
 * namespaces, and a namespace moving between areas keeps its objects and their names: only what its
 * area rule refers to changes.
 *
 * Servers carry the namespace's access policy: `audit` in the migration phase (nothing is refused; what
 * strict would refuse is logged), `deny` in the strict phase. Each Server waits for every authorization of
 * its namespace, so switching to strict never refuses traffic before its allowances exist.
 */

import type { LabelSelector } from "../../core/k8s";
import { ENDPOINT_LABEL, ENDPOINT_VALUE, MANAGED_LABEL } from "../../core/labels";
import {
  type AccessPolicy,
  type AuthenticationRef,
  type AuthorizationPolicyObject,
  DEFAULT_INBOUND_POLICY_ANNOTATION,
  type IdentityRef,
  INJECT_ANNOTATION,
  LINKERD_API_VERSIONS,
  LINKERD_POLICY_GROUP,
  type LinkerdObject,
  type MeshTLSAuthenticationObject,
  PROXY_ADMIN_PORT,
  type ServerObject,
  SKIP_INBOUND_PORTS_ANNOTATION,
  type TargetRef,
} from "../../core/linkerd";
import { AREA_RULES, AREAS, type Area, PHASES, type Phase } from "../areas";
import type { NamespaceConfig, SegmentationConfig, ToolConfig } from "../config";
import { CONTROLLERS, controllerIdentity } from "../controllers";
import { DESCRIPTION_ANNOTATION } from "../policy";
import type { MeshPhase } from "./config";
import {
  controllerServiceAccount,
  monitoringServiceAccount,
  namespaceIdentity,
  serviceAccountIdentity,
} from "./identities";

/** One Linkerd object as the stack declares it. */
export interface MeshObjectSpec {
  /** Pulumi logical name: namespace, kind and name, so it never changes with config. */
  resourceName: string;
  namespace: string;
  object: LinkerdObject;
  /** `resourceName`s of objects that must exist first. */
  after: readonly string[];
}

/** Marks every Linkerd object the platform renders (as opposed to a service's contract). */
export const MESH_DEFAULT_LABEL = "netseg.dev/mesh-default";

/** Names of the shared authentications in the control plane's namespace. */
export const SHARED_AUTHENTICATION = {
  area: (area: Area) => `netseg-area-${area}`,
  /** Who the area rules admit into an area's namespaces in a phase: the union of the admitted areas. */
  into: (area: Area, phase: Phase) => `netseg-into-${area}-${phase}`,
  anyArea: "netseg-any-area",
  controller: (area: Area) => `netseg-controller-${area}`,
  monitoring: "netseg-monitoring",
} as const;

export const PROXY_ADMIN_SERVER = "netseg-proxy-admin";

export function endpointServerName(port: string): string {
  return `netseg-${port}-endpoint`;
}

export function otherServerName(port: string): string {
  return `netseg-${port}-other`;
}

export function toolServerName(port: number): string {
  return `netseg-port-${port}`;
}

/** The access policy of a meshed namespace's Servers and of its default inbound policy. */
export function accessPolicyOf(phase: Exclude<MeshPhase, "off">): AccessPolicy {
  return phase === "strict" ? "deny" : "audit";
}

/** The mesh phase of a namespace: off unless the mesh config meshes it. */
export function meshPhaseOf(config: SegmentationConfig, namespace: string): MeshPhase {
  return config.mesh.namespaces[namespace] ?? "off";
}

/**
 * The annotations of a managed namespace for the mesh: injection and the default inbound policy when it is
 * meshed, nothing otherwise. A controller's namespace also has its entry points skip the proxy, so the load
 * balancer (its clients' addresses preserved, its health checks included) reaches Traefik directly.
 */
export function meshNamespaceAnnotations(
  config: SegmentationConfig,
  namespace: string,
): Record<string, string> {
  const phase = meshPhaseOf(config, namespace);
  if (phase === "off") return {};
  const annotations: Record<string, string> = {
    [INJECT_ANNOTATION]: "enabled",
    [DEFAULT_INBOUND_POLICY_ANNOTATION]: accessPolicyOf(phase),
  };
  const controller = CONTROLLERS.find((candidate) => candidate.namespace === namespace);
  if (controller) {
    const { http, https, health } = controller.ports;
    annotations[SKIP_INBOUND_PORTS_ANNOTATION] = [http, https, health].join(",");
  }
  return annotations;
}

/** Every Linkerd object of the stack, sorted by resource name; empty when no namespace is meshed. */
export function planMesh(config: SegmentationConfig): MeshObjectSpec[] {
  const meshed = Object.keys(config.mesh.namespaces);
  if (meshed.length === 0) return [];
  const specs: MeshObjectSpec[] = [...sharedAuthentications(config)];
  for (const ns of config.namespaces) {
    const phase = meshPhaseOf(config, ns.name);
    if (phase !== "off") specs.push(...areaNamespaceObjects(config, ns, phase));
  }
  const { monitoring, vault } = config.tools;
  for (const [tool, settings] of [
    ["monitoring", monitoring],
    ["vault", vault],
  ] as const) {
    const phase = meshPhaseOf(config, settings.namespace);
    if (phase !== "off") specs.push(...toolObjects(config, tool, settings, phase));
  }
  for (const controller of CONTROLLERS) {
    const phase = meshPhaseOf(config, controller.namespace);
    if (phase !== "off") specs.push(...controllerObjects(config, controller.area, phase));
  }
  return specs.sort((a, b) =>
    a.resourceName < b.resourceName ? -1 : a.resourceName > b.resourceName ? 1 : 0,
  );
}

function meshResourceName(namespace: string, kind: string, name: string): string {
  return `${namespace}-${kind.toLowerCase()}-${name}`;
}

function metadata(namespace: string, name: string, description: string) {
  return {
    name,
    namespace,
    labels: { [MANAGED_LABEL]: "true", [MESH_DEFAULT_LABEL]: "true" },
    annotations: { [DESCRIPTION_ANNOTATION]: description },
  };
}

function spec(object: LinkerdObject, after: readonly string[] = []): MeshObjectSpec {
  const { namespace, name } = object.metadata;
  return { resourceName: meshResourceName(namespace, object.kind, name), namespace, object, after };
}

function meshTls(namespace: string, name: string, description: string, identityRefs: IdentityRef[]) {
  const object: MeshTLSAuthenticationObject = {
    apiVersion: LINKERD_API_VERSIONS.MeshTLSAuthentication,
    kind: "MeshTLSAuthentication",
    metadata: metadata(namespace, name, description),
    spec: { identityRefs },
  };
  return spec(object);
}

/** The identities every meshed namespace's rules refer to: one object per area, controller and Prometheus. */
function sharedAuthentications(config: SegmentationConfig): MeshObjectSpec[] {
  const home = config.mesh.controlPlaneNamespace;
  const specs: MeshObjectSpec[] = [];
  for (const area of AREAS) {
    const members = config.namespaces.filter((ns) => ns.area === area).map((ns) => ns.name);
    // An area without namespaces has no identity; a reference to a missing authentication matches nobody.
    if (members.length === 0) continue;
    specs.push(
      meshTls(
        home,
        SHARED_AUTHENTICATION.area(area),
        `Every service account of the namespaces in area ${area}: the mesh's view of networkArea=${area}.`,
        members.map(namespaceIdentity),
      ),
    );
  }
  specs.push(...admittedIntoAreas(config));
  if (config.namespaces.length > 0) {
    specs.push(
      meshTls(
        home,
        SHARED_AUTHENTICATION.anyArea,
        "Every service account of every area namespace.",
        config.namespaces.map((ns) => namespaceIdentity(ns.name)),
      ),
    );
  }
  for (const area of AREAS) {
    specs.push(
      meshTls(
        home,
        SHARED_AUTHENTICATION.controller(area),
        `The ${area} ingress controller's pods, by the service account the Traefik chart gives them.`,
        [serviceAccountIdentity(controllerServiceAccount(area))],
      ),
    );
  }
  specs.push(
    meshTls(home, SHARED_AUTHENTICATION.monitoring, "Prometheus, by its service account.", [
      serviceAccountIdentity(monitoringServiceAccount(config)),
    ]),
  );
  return specs;
}

/**
 * Per area and phase, the identities the area rules admit into the area. A namespace's rules name who may
 * enter its area, not the areas themselves, so moving it to another area changes what its policies refer to
 * and never which policies it has.
 */
function admittedIntoAreas(config: SegmentationConfig): MeshObjectSpec[] {
  const specs: MeshObjectSpec[] = [];
  for (const area of AREAS) {
    for (const phase of PHASES) {
      const rule = AREA_RULES[area];
      const admitted = phase === "strict" ? rule.strictIngressFrom : rule.migrationIngressFrom;
      const members = config.namespaces.filter((ns) => admitted.includes(ns.area)).map((ns) => ns.name);
      if (members.length === 0) continue;
      specs.push(
        meshTls(
          config.mesh.controlPlaneNamespace,
          SHARED_AUTHENTICATION.into(area, phase),
          `Every service account of the namespaces the ${phase} area rules admit into ${area}: those of ${admitted.join(", ")}.`,
          members.map(namespaceIdentity),
        ),
      );
    }
  }
  return specs;
}

function sharedRef(config: SegmentationConfig, name: string): AuthenticationRef {
  return {
    group: LINKERD_POLICY_GROUP,
    kind: "MeshTLSAuthentication",
    name,
    namespace: config.mesh.controlPlaneNamespace,
  };
}

function localRef(name: string): AuthenticationRef {
  return { group: LINKERD_POLICY_GROUP, kind: "MeshTLSAuthentication", name };
}

function server(
  namespace: string,
  name: string,
  description: string,
  podSelector: LabelSelector,
  port: string | number,
  access: AccessPolicy,
  after: readonly string[],
  proxyProtocol?: ServerObject["spec"]["proxyProtocol"],
): MeshObjectSpec {
  const object: ServerObject = {
    apiVersion: LINKERD_API_VERSIONS.Server,
    kind: "Server",
    metadata: metadata(namespace, name, description),
    spec: { podSelector, port, accessPolicy: access, ...(proxyProtocol ? { proxyProtocol } : {}) },
  };
  return spec(object, after);
}

function authorization(
  namespace: string,
  name: string,
  description: string,
  targetRef: TargetRef,
  refs: AuthenticationRef[],
): MeshObjectSpec {
  const object: AuthorizationPolicyObject = {
    apiVersion: LINKERD_API_VERSIONS.AuthorizationPolicy,
    kind: "AuthorizationPolicy",
    metadata: metadata(namespace, name, description),
    spec: { targetRef, requiredAuthenticationRefs: refs },
  };
  return spec(object);
}

function namespaceTarget(namespace: string): TargetRef {
  return { kind: "Namespace", name: namespace };
}

function serverTarget(name: string): TargetRef {
  return { group: LINKERD_POLICY_GROUP, kind: "Server", name };
}

/** Areas admitted to a namespace's pods by the area rules, that have namespaces (and so an identity). */
function admittedAreas(config: SegmentationConfig, areas: readonly Area[]): Area[] {
  return areas.filter((area) => config.namespaces.some((ns) => ns.area === area));
}

function proxyAdminServer(namespace: string, access: AccessPolicy, after: readonly string[]): MeshObjectSpec {
  return server(
    namespace,
    PROXY_ADMIN_SERVER,
    "The proxies' admin port, which Prometheus scrapes for the mesh's metrics; kubelet probes on it are authorized by Linkerd's defaults.",
    {},
    PROXY_ADMIN_PORT.name,
    access,
    after,
    "HTTP/1",
  );
}

/** Servers wait for every authorization of their namespace; returns all of them. */
function withServers(
  authorizations: MeshObjectSpec[],
  servers: (after: readonly string[]) => MeshObjectSpec[],
): MeshObjectSpec[] {
  const after = authorizations.map((a) => a.resourceName).sort();
  return [...authorizations, ...servers(after)];
}

function areaNamespaceObjects(
  config: SegmentationConfig,
  ns: NamespaceConfig,
  phase: Exclude<MeshPhase, "off">,
): MeshObjectSpec[] {
  const access = accessPolicyOf(phase);
  return withServers(areaAuthorizations(config, ns), (after) =>
    areaServers(ns.name, config.mesh.servedPorts, access, after),
  );
}

/**
 * What an area namespace admits, as the area rules say for its phase: in migration every pod, its own
 * namespace included; in strict only the endpoint pods' Servers. Its controllers and monitoring always.
 */
function areaAuthorizations(config: SegmentationConfig, ns: NamespaceConfig): MeshObjectSpec[] {
  const rule = AREA_RULES[ns.area];
  const strict = ns.phase === "strict";
  const targets = strict
    ? config.mesh.servedPorts.map((port) => serverTarget(endpointServerName(port)))
    : [namespaceTarget(ns.name)];
  const suffix = (target: TargetRef) =>
    target.kind === "Server" ? `-${target.name.slice("netseg-".length)}` : "";
  const exposed = strict ? "endpoint=true pods" : "every pod";
  const accept = strict ? "accept" : "accepts";

  const authorizations: MeshObjectSpec[] = [];
  if (!strict) {
    authorizations.push(
      meshTls(ns.name, "netseg-own-namespace", `Every service account of ${ns.name}.`, [
        namespaceIdentity(ns.name),
      ]),
      authorization(
        ns.name,
        "netseg-own-namespace",
        `Migration phase: every pod of ${ns.name} accepts its own namespace.`,
        namespaceTarget(ns.name),
        [localRef("netseg-own-namespace")],
      ),
    );
  }
  const admitted = strict ? rule.strictIngressFrom : rule.migrationIngressFrom;
  if (admittedAreas(config, admitted).length > 0) {
    for (const target of targets) {
      authorizations.push(
        authorization(
          ns.name,
          `netseg-areas${suffix(target)}`,
          `${strict ? "Strict" : "Migration"} phase: ${exposed} of ${ns.name} ${accept} namespaces of ${admitted.join(", ")} (rules of area ${ns.area}).`,
          target,
          [sharedRef(config, SHARED_AUTHENTICATION.into(ns.area, ns.phase))],
        ),
      );
    }
  }
  for (const area of [ns.area, ...ns.extraIngressControllers]) {
    // The own area's controller keeps one name wherever the namespace moves.
    const name = area === ns.area ? "netseg-controller" : `netseg-controller-${area}`;
    for (const target of targets) {
      authorizations.push(
        authorization(
          ns.name,
          `${name}${suffix(target)}`,
          `The ${area} ingress controller may reach ${exposed} of ${ns.name}.`,
          target,
          [sharedRef(config, SHARED_AUTHENTICATION.controller(area))],
        ),
      );
    }
  }
  authorizations.push(monitoringAuthorization(config, ns.name));
  return authorizations;
}

/** For each served port, a Server for the endpoint pods and one for the others; and the proxies' admin port. */
function areaServers(
  namespace: string,
  ports: SegmentationConfig["mesh"]["servedPorts"],
  access: ReturnType<typeof accessPolicyOf>,
  after: readonly string[],
): MeshObjectSpec[] {
  const endpointPods: LabelSelector = { matchLabels: { [ENDPOINT_LABEL]: ENDPOINT_VALUE } };
  const otherPods: LabelSelector = {
    matchExpressions: [{ key: ENDPOINT_LABEL, operator: "NotIn", values: [ENDPOINT_VALUE] }],
  };
  return [
    ...ports.flatMap((port) => [
      server(
        namespace,
        endpointServerName(port),
        `Port ${port} of the endpoint=true pods of ${namespace}.`,
        endpointPods,
        port,
        access,
        after,
      ),
      server(
        namespace,
        otherServerName(port),
        `Port ${port} of the pods of ${namespace} that are not endpoints.`,
        otherPods,
        port,
        access,
        after,
      ),
    ]),
    proxyAdminServer(namespace, access, after),
  ];
}

function monitoringAuthorization(config: SegmentationConfig, namespace: string): MeshObjectSpec {
  return authorization(
    namespace,
    "netseg-monitoring",
    `Prometheus in ${config.tools.monitoring.namespace} scrapes every pod of ${namespace}, and every proxy's admin port.`,
    namespaceTarget(namespace),
    [sharedRef(config, SHARED_AUTHENTICATION.monitoring)],
  );
}

function selectorOf(labels: Readonly<Record<string, string>>): LabelSelector {
  return Object.keys(labels).length > 0 ? { matchLabels: { ...labels } } : {};
}

function toolObjects(
  config: SegmentationConfig,
  tool: "monitoring" | "vault",
  settings: ToolConfig,
  phase: Exclude<MeshPhase, "off">,
): MeshObjectSpec[] {
  const namespace = settings.namespace;
  const access = accessPolicyOf(phase);
  const portTargets = settings.ports.map((port) => serverTarget(toolServerName(port)));
  const authorizations: MeshObjectSpec[] = [
    meshTls(namespace, "netseg-own-namespace", `Every service account of ${namespace}.`, [
      namespaceIdentity(namespace),
    ]),
    authorization(
      namespace,
      "netseg-own-namespace",
      `Pods of the ${tool} namespace talk to each other.`,
      namespaceTarget(namespace),
      [localRef("netseg-own-namespace")],
    ),
  ];
  if (tool === "vault") {
    if (config.namespaces.length > 0) {
      for (const target of portTargets) {
        authorizations.push(
          authorization(
            namespace,
            `netseg-areas-${target.name.slice("netseg-".length)}`,
            "Every area namespace reads its secrets from Vault on its ports.",
            target,
            [sharedRef(config, SHARED_AUTHENTICATION.anyArea)],
          ),
        );
      }
    }
    authorizations.push(monitoringAuthorization(config, namespace));
  }
  for (const area of settings.exposedVia) {
    for (const target of portTargets) {
      authorizations.push(
        authorization(
          namespace,
          `netseg-controller-${area}-${target.name.slice("netseg-".length)}`,
          `${tool} is exposed outside the cluster through the ${area} ingress controller.`,
          target,
          [sharedRef(config, SHARED_AUTHENTICATION.controller(area))],
        ),
      );
    }
  }
  const pods = selectorOf(settings.podLabels);
  return withServers(authorizations, (after) => [
    ...settings.ports.map((port) =>
      server(namespace, toolServerName(port), `Port ${port} of ${tool}.`, pods, port, access, after),
    ),
    proxyAdminServer(namespace, access, after),
  ]);
}

function controllerObjects(
  config: SegmentationConfig,
  area: Area,
  phase: Exclude<MeshPhase, "off">,
): MeshObjectSpec[] {
  const identity = controllerIdentity(area);
  const access = accessPolicyOf(phase);
  const authorizations = [
    authorization(
      identity.namespace,
      "netseg-monitoring",
      `Prometheus in ${config.tools.monitoring.namespace} scrapes the ${area} controller's metrics and its proxy.`,
      namespaceTarget(identity.namespace),
      [sharedRef(config, SHARED_AUTHENTICATION.monitoring)],
    ),
  ];
  const pods = { matchLabels: { ...identity.podLabels } };
  return withServers(authorizations, (after) => [
    server(
      identity.namespace,
      toolServerName(identity.ports.metrics),
      `The ${area} controller's metrics port; its entry points skip the proxy.`,
      pods,
      identity.ports.metrics,
      access,
      after,
    ),
    proxyAdminServer(identity.namespace, access, after),
  ]);
}
