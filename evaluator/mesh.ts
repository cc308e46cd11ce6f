/**
 * The mesh layer: Linkerd's inbound authorization for meshed pods, decided over the same estate as the
 * NetworkPolicies, and composed with their verdict. A connection to a meshed pod gets through when the
 * L3/4 policies allow it AND the destination's proxy authorizes it.
 *
 * What the destination's proxy does, per https://linkerd.io/2/reference/authorization-policy:
 *
 * - A port that skips the proxy (`config.linkerd.io/skip-inbound-ports`), or traffic other than TCP, never
 *   meets it: the mesh has no say.
 * - A port no Server selects takes the default inbound policy: the pod's namespace annotation
 *   `config.linkerd.io/default-inbound-policy`, else the cluster's default.
 * - On a Server's port, a connection is authorized when some AuthorizationPolicy targeting that Server (or
 *   the whole namespace) has every one of its required authentications satisfied: a MeshTLSAuthentication by
 *   the client's mTLS identity (its service account; only meshed clients have one), a NetworkAuthentication
 *   by the client's address. A policy that refers to an authentication that does not exist is ignored.
 *   Otherwise the Server's `accessPolicy` decides (`deny` unless set).
 * - `audit` admits everything, and flags what it would have refused.
 *
 * Kubelet probes are authorized by Linkerd's defaults and are not modelled: the estate has no kubelet.
 */
import type {
  AccessPolicy,
  AuthenticationRef,
  AuthorizationPolicyObject,
  LinkerdObject,
  MeshTLSAuthenticationObject,
  NetworkAuthenticationObject,
  ServerObject,
} from "../core/linkerd";
import {
  DEFAULT_INBOUND_POLICY_ANNOTATION,
  INJECT_ANNOTATION,
  LINKERD_DEFAULT_ACCESS_POLICY,
  PROXY_ADMIN_PORT,
  SKIP_INBOUND_PORTS_ANNOTATION,
} from "../core/linkerd";
import { addressToNumber, cidrToRange, inRange } from "./addresses";
import { compileSelector, matches, type Selector } from "./selectors";
import type { PodInfo, Protocol } from "./types";

export interface MeshNamespace {
  name: string;
  annotations?: Readonly<Record<string, string>>;
}

/** What the mesh layer reads besides the pods: namespace annotations, Linkerd objects, service accounts. */
export interface MeshInput {
  namespaces: readonly MeshNamespace[];
  objects: readonly LinkerdObject[];
  /** Service account by `namespace/pod`; a pod not listed runs as `default`, as Kubernetes does. */
  serviceAccounts?: Readonly<Record<string, string>>;
  /** The cluster's pod networks: what `cluster-*` default policies count as "in the cluster". */
  clusterNetworks: readonly string[];
  /** `<control-plane namespace>.<trust domain>`, the tail of every identity string. @default "linkerd.cluster.local" */
  identityDomain?: string;
  /** The control plane's default inbound policy. @default "all-unauthenticated" (Linkerd's) */
  clusterDefault?: AccessPolicy;
}

/** The client side of a connection, as the destination's proxy sees it. */
export interface MeshClient {
  /** Present when the client is a pod of the estate. */
  pod?: PodInfo;
  ip: string;
}

export type MeshDecision =
  /** The mesh has no say: destination unmeshed, port skips the proxy, or not TCP. */
  "not-meshed" | "authorized" | "default-policy" | "server-access-policy";

export interface MeshVerdict {
  allowed: boolean;
  decision: MeshDecision;
  /** True when only `audit` let it through: the strict phase would refuse it. */
  audit: boolean;
  /** Whether the client presented an mTLS identity (it is a meshed pod). */
  authenticated: boolean;
  /** The client's identity, as `serviceaccount namespace/name`, when it has one. */
  identity?: string;
  /** `namespace/name` of the Server on the port, when one selects it. */
  server?: string;
  /** `namespace/name` of every AuthorizationPolicy that admits the client. */
  authorizedBy: string[];
  /** The access policy that decided, for `default-policy` and `server-access-policy`. */
  accessPolicy?: AccessPolicy;
  /** One line naming the layer's rule. */
  reason: string;
}

interface CompiledServer {
  object: ServerObject;
  key: string;
  selector: Selector;
}

const key = (meta: { namespace: string; name: string }) => `${meta.namespace}/${meta.name}`;

export class MeshAuthorizer {
  private readonly namespaces: Map<string, MeshNamespace>;
  private readonly servers = new Map<string, CompiledServer[]>();
  private readonly policies = new Map<string, AuthorizationPolicyObject[]>();
  private readonly authentications = new Map<
    string,
    MeshTLSAuthenticationObject | NetworkAuthenticationObject
  >();
  private readonly clusterRanges;

  constructor(private readonly input: MeshInput) {
    this.namespaces = new Map(input.namespaces.map((ns) => [ns.name, ns]));
    for (const object of input.objects) {
      const ns = object.metadata.namespace;
      if (object.kind === "Server") {
        const list = this.servers.get(ns) ?? [];
        list.push({ object, key: key(object.metadata), selector: compileSelector(object.spec.podSelector) });
        this.servers.set(ns, list);
      } else if (object.kind === "AuthorizationPolicy") {
        this.policies.set(ns, [...(this.policies.get(ns) ?? []), object]);
      } else {
        this.authentications.set(`${object.kind}/${key(object.metadata)}`, object);
      }
    }
    // Linkerd picks the oldest of overlapping Servers; without creation times, the first by name.
    for (const list of this.servers.values()) list.sort((a, b) => (a.key < b.key ? -1 : 1));
    this.clusterRanges = input.clusterNetworks.map(cidrToRange);
  }

  /** Whether pods of this namespace get the proxy. */
  isMeshed(namespace: string): boolean {
    const inject = this.namespaces.get(namespace)?.annotations?.[INJECT_ANNOTATION];
    return inject === "enabled" || inject === "ingress";
  }

  /** `serviceaccount namespace/name` of a meshed pod, undefined for anything else. */
  identityOf(pod: PodInfo | undefined): string | undefined {
    if (!pod || !this.isMeshed(pod.namespace)) return undefined;
    return `serviceaccount ${pod.namespace}/${this.serviceAccountOf(pod)}`;
  }

  private serviceAccountOf(pod: PodInfo): string {
    return this.input.serviceAccounts?.[`${pod.namespace}/${pod.name}`] ?? "default";
  }

  /** Every Linkerd object the authorizer read. */
  objects(): readonly LinkerdObject[] {
    return this.input.objects;
  }

  /** The Server that governs a port of a meshed pod, if any. */
  serverFor(destination: PodInfo, port: number): ServerObject | undefined {
    return this.compiledServerFor(destination, port)?.object;
  }

  private compiledServerFor(destination: PodInfo, port: number): CompiledServer | undefined {
    const portName =
      port === PROXY_ADMIN_PORT.number
        ? PROXY_ADMIN_PORT.name
        : destination.ports?.find((p) => p.containerPort === port && (p.protocol ?? "TCP") === "TCP")?.name;
    return (this.servers.get(destination.namespace) ?? []).find(
      (server) =>
        (server.object.spec.port === port ||
          (portName !== undefined && server.object.spec.port === portName)) &&
        matches(server.selector, destination.labels ?? {}),
    );
  }

  /** Whether the AuthorizationPolicy admits `client`; false when an authentication it needs is missing. */
  admits(policy: AuthorizationPolicyObject, client: MeshClient): boolean {
    return policy.spec.requiredAuthenticationRefs.every((ref) => this.satisfies(ref, policy, client));
  }

  /** AuthorizationPolicies that apply to a Server: those naming it and those naming its namespace. */
  policiesFor(server: ServerObject): AuthorizationPolicyObject[] {
    const ns = server.metadata.namespace;
    return (this.policies.get(ns) ?? []).filter(({ spec: { targetRef } }) =>
      targetRef.kind === "Server"
        ? targetRef.name === server.metadata.name
        : targetRef.kind === "Namespace" && targetRef.name === ns,
    );
  }

  /** Servers an AuthorizationPolicy applies to. */
  serversOf(policy: AuthorizationPolicyObject): ServerObject[] {
    const ns = policy.metadata.namespace;
    const { targetRef } = policy.spec;
    return (this.servers.get(ns) ?? [])
      .map((s) => s.object)
      .filter((s) =>
        targetRef.kind === "Server"
          ? s.metadata.name === targetRef.name
          : targetRef.kind === "Namespace" && targetRef.name === ns,
      );
  }

  /** Whether a Server selects a pod (and so a port of it). */
  selects(server: ServerObject, pod: PodInfo): boolean {
    const compiled = this.servers.get(server.metadata.namespace)?.find((s) => s.object === server);
    return (
      compiled !== undefined &&
      server.metadata.namespace === pod.namespace &&
      matches(compiled.selector, pod.labels ?? {})
    );
  }

  private satisfies(ref: AuthenticationRef, policy: AuthorizationPolicyObject, client: MeshClient): boolean {
    const namespace = ref.namespace ?? policy.metadata.namespace;
    const authentication = this.authentications.get(`${ref.kind}/${namespace}/${ref.name}`);
    if (!authentication) return false;
    if (authentication.kind === "NetworkAuthentication") {
      const address = addressToNumber(client.ip);
      return authentication.spec.networks.some(
        (network) =>
          inRange(address, cidrToRange(network.cidr)) &&
          !(network.except ?? []).some((cidr) => inRange(address, cidrToRange(cidr))),
      );
    }
    const pod = client.pod;
    if (!pod || !this.isMeshed(pod.namespace)) return false;
    const account = this.serviceAccountOf(pod);
    if ("identityRefs" in authentication.spec) {
      return authentication.spec.identityRefs.some(
        (identity) =>
          identity.kind === "ServiceAccount" &&
          (identity.namespace ?? authentication.metadata.namespace) === pod.namespace &&
          (identity.name === undefined || identity.name === account),
      );
    }
    // Identity strings: `*` is anyone authenticated, a `*.` prefix every identity under a domain.
    const domain = this.input.identityDomain ?? "linkerd.cluster.local";
    const identity = `${account}.${pod.namespace}.serviceaccount.identity.${domain}`;
    return authentication.spec.identities.some(
      (pattern) =>
        pattern === "*" ||
        pattern === identity ||
        (pattern.startsWith("*.") && identity.endsWith(pattern.slice(1))),
    );
  }

  /** What the destination's proxy does with a connection. */
  decide(client: MeshClient, destination: PodInfo, port: number, protocol: Protocol): MeshVerdict {
    const identity = this.identityOf(client.pod);
    const base = {
      authenticated: identity !== undefined,
      ...(identity ? { identity } : {}),
      authorizedBy: [],
    };
    const ns = this.namespaces.get(destination.namespace);
    const skipped = (ns?.annotations?.[SKIP_INBOUND_PORTS_ANNOTATION] ?? "")
      .split(",")
      .map((part) => part.trim())
      .includes(String(port));
    if (!this.isMeshed(destination.namespace) || protocol !== "TCP" || skipped) {
      const why = !this.isMeshed(destination.namespace)
        ? `${destination.namespace} is not meshed`
        : protocol !== "TCP"
          ? `${protocol} does not pass the proxy`
          : `port ${port} skips the proxy (${SKIP_INBOUND_PORTS_ANNOTATION})`;
      return { ...base, allowed: true, decision: "not-meshed", audit: false, reason: `mesh: no say, ${why}` };
    }
    const server = this.compiledServerFor(destination, port);
    if (!server) {
      const access =
        (ns?.annotations?.[DEFAULT_INBOUND_POLICY_ANNOTATION] as AccessPolicy | undefined) ??
        this.input.clusterDefault ??
        LINKERD_DEFAULT_ACCESS_POLICY;
      return this.byAccessPolicy(
        base,
        "default-policy",
        access,
        client,
        `default inbound policy of ${destination.namespace}`,
      );
    }
    const authorizedBy = this.policiesFor(server.object)
      .filter((policy) => this.admits(policy, client))
      .map((policy) => key(policy.metadata))
      .sort();
    if (authorizedBy.length > 0) {
      return {
        ...base,
        allowed: true,
        decision: "authorized",
        audit: false,
        server: server.key,
        authorizedBy,
        reason: `mesh: Server ${server.key} authorizes ${identity ?? client.ip} through AuthorizationPolicy ${authorizedBy.join(", ")}`,
      };
    }
    const access = server.object.spec.accessPolicy ?? "deny";
    return {
      ...this.byAccessPolicy(base, "server-access-policy", access, client, `Server ${server.key}`),
      server: server.key,
    };
  }

  private byAccessPolicy(
    base: Pick<MeshVerdict, "authenticated" | "identity" | "authorizedBy">,
    decision: "default-policy" | "server-access-policy",
    access: AccessPolicy,
    client: MeshClient,
    where: string,
  ): MeshVerdict {
    const inCluster = this.clusterRanges.some((range) => inRange(addressToNumber(client.ip), range));
    const allowed =
      access === "audit" ||
      access === "all-unauthenticated" ||
      (access === "cluster-unauthenticated" && inCluster) ||
      (access === "all-authenticated" && base.authenticated) ||
      (access === "cluster-authenticated" && base.authenticated && inCluster);
    const who =
      base.identity ??
      (client.pod ? `unmeshed ${client.pod.namespace}/${client.pod.name}` : `unauthenticated ${client.ip}`);
    const reason =
      access === "audit"
        ? `mesh: no AuthorizationPolicy admits ${who}; ${where} is audit, so it passes and is flagged`
        : allowed
          ? `mesh: ${where} is ${access}, which admits ${who}`
          : `mesh: no AuthorizationPolicy admits ${who}, and ${where} is ${access}`;
    return { ...base, allowed, decision, audit: access === "audit", accessPolicy: access, reason };
  }
}
