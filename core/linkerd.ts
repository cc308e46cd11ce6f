/**
 * Linkerd's policy objects, as the model renders them and the evaluator reads them. The shapes follow the
 * CRDs of the linkerd-crds chart (https://github.com/linkerd/linkerd2, charts/linkerd-crds/templates/policy/),
 * in the versions the API server stores (test/fixtures/linkerd-crds holds their schemas):
 *
 *   Server                 policy.linkerd.io/v1beta3   one port of a set of pods; `accessPolicy` decides
 *                                                      what no AuthorizationPolicy admits
 *   AuthorizationPolicy    policy.linkerd.io/v1alpha1  a target (Server, HTTPRoute or Namespace) and the
 *                                                      authentications a client must satisfy, all of them
 *   MeshTLSAuthentication  policy.linkerd.io/v1alpha1  clients by mTLS identity (service accounts)
 *   NetworkAuthentication  policy.linkerd.io/v1alpha1  clients by source address, with no identity at all
 *
 * HTTPRoutes (per-path authorization) are left out: no rule of the areas or of the contract vocabulary
 * names a path.
 *
 * Default policies and their values: https://linkerd.io/2/reference/authorization-policy (the
 * `config.linkerd.io/default-inbound-policy` annotation on a namespace or pod; `audit` behaves as
 * `all-unauthenticated` but flags what a `deny` would refuse in logs and metrics).
 */
import type { LabelSelector } from "./k8s";

export const LINKERD_POLICY_GROUP = "policy.linkerd.io";

export const LINKERD_API_VERSIONS = {
  Server: `${LINKERD_POLICY_GROUP}/v1beta3`,
  AuthorizationPolicy: `${LINKERD_POLICY_GROUP}/v1alpha1`,
  MeshTLSAuthentication: `${LINKERD_POLICY_GROUP}/v1alpha1`,
  NetworkAuthentication: `${LINKERD_POLICY_GROUP}/v1alpha1`,
} as const;

export type LinkerdKind = keyof typeof LINKERD_API_VERSIONS;

/** Namespace (or pod) annotation: what a meshed pod admits on ports no Server describes. */
export const DEFAULT_INBOUND_POLICY_ANNOTATION = "config.linkerd.io/default-inbound-policy";

/** Namespace (or pod) annotation that has the proxy injector add the proxy to new pods. */
export const INJECT_ANNOTATION = "linkerd.io/inject";

/**
 * Ports whose inbound connections bypass the proxy entirely: neither mTLS nor authorization applies there
 * (https://linkerd.io/2/reference/proxy-configuration).
 */
export const SKIP_INBOUND_PORTS_ANNOTATION = "config.linkerd.io/skip-inbound-ports";

/** The values a default inbound policy or a Server's `accessPolicy` may take. */
export const ACCESS_POLICIES = [
  "all-unauthenticated",
  "all-authenticated",
  "cluster-unauthenticated",
  "cluster-authenticated",
  "deny",
  "audit",
] as const;
export type AccessPolicy = (typeof ACCESS_POLICIES)[number];

/** Linkerd's own default when nothing says otherwise (the control plane's `proxy.defaultInboundPolicy`). */
export const LINKERD_DEFAULT_ACCESS_POLICY: AccessPolicy = "all-unauthenticated";

/** The proxy's admin server (metrics, `/live`, `/ready`): container port name and number on every pod. */
export const PROXY_ADMIN_PORT = { name: "linkerd-admin", number: 4191 } as const;

export interface LinkerdMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface ServerObject {
  apiVersion: (typeof LINKERD_API_VERSIONS)["Server"];
  kind: "Server";
  metadata: LinkerdMeta;
  spec: {
    podSelector: LabelSelector;
    /** A container port's name or number. */
    port: string | number;
    proxyProtocol?: "unknown" | "HTTP/1" | "HTTP/2" | "gRPC" | "opaque" | "TLS";
    accessPolicy?: AccessPolicy;
  };
}

export interface TargetRef {
  group?: string;
  kind: string;
  name: string;
}

export interface AuthenticationRef {
  group?: string;
  kind: "MeshTLSAuthentication" | "NetworkAuthentication";
  name: string;
  /** The referent's namespace; the policy's own when absent. */
  namespace?: string;
}

export interface AuthorizationPolicyObject {
  apiVersion: (typeof LINKERD_API_VERSIONS)["AuthorizationPolicy"];
  kind: "AuthorizationPolicy";
  metadata: LinkerdMeta;
  spec: { targetRef: TargetRef; requiredAuthenticationRefs: AuthenticationRef[] };
}

/** A service account, or (without `name`) every service account of a namespace. */
export interface IdentityRef {
  kind: "ServiceAccount";
  name?: string;
  namespace?: string;
}

export interface MeshTLSAuthenticationObject {
  apiVersion: (typeof LINKERD_API_VERSIONS)["MeshTLSAuthentication"];
  kind: "MeshTLSAuthentication";
  metadata: LinkerdMeta;
  spec: { identityRefs: IdentityRef[] } | { identities: string[] };
}

export interface NetworkAuthenticationObject {
  apiVersion: (typeof LINKERD_API_VERSIONS)["NetworkAuthentication"];
  kind: "NetworkAuthentication";
  metadata: LinkerdMeta;
  spec: { networks: { cidr: string; except?: string[] }[] };
}

export type LinkerdObject =
  | ServerObject
  | AuthorizationPolicyObject
  | MeshTLSAuthenticationObject
  | NetworkAuthenticationObject;

export function isLinkerdObject(value: { apiVersion?: unknown; kind?: unknown }): value is LinkerdObject {
  const kind = value.kind as LinkerdKind;
  return typeof value.kind === "string" && LINKERD_API_VERSIONS[kind] === value.apiVersion;
}
