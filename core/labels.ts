/**
 * Label keys the segmentation trusts. Every selector the stack renders is built from these, and the
 * label-integrity admission policy protects the ones set on namespaces. A leaf: the evaluator, the model
 * and the analysis all read these, so it knows nothing of areas (an area is passed in as its name).
 */
/** The namespace label that puts a namespace in an area (the seed's name, kept for the services' charts). */
export const AREA_LABEL = "networkArea";

/** Pods that other namespaces may reach in the strict phase. */
export const ENDPOINT_LABEL = "endpoint";
export const ENDPOINT_VALUE = "true";

/** Set by the API server on every namespace, equal to its name; tenants cannot change it. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Prefix of every label the stack owns. */
export const LABEL_PREFIX = "netseg.dev/";

/** Marks objects the stack manages, so admission can refuse changes made by anyone else. */
export const MANAGED_LABEL = `${LABEL_PREFIX}managed`;

/**
 * An area namespace's phase, `migration` or `strict`: the cluster tier selects strict namespaces by it, to
 * bound them by the strict rules.
 */
export const PHASE_LABEL = `${LABEL_PREFIX}phase`;

/** What a managed namespace is for: `area`, `tool` or `ingress-controller`. */
export const ROLE_LABEL = `${LABEL_PREFIX}role`;

/** Marks the default NetworkPolicies of a namespace (as opposed to a service's own contracts). */
export const DEFAULT_POLICY_LABEL = `${LABEL_PREFIX}default-policy`;

/** Pod label the stack puts on each area's ingress controller pods through the chart values. */
export const CONTROLLER_POD_LABEL = `${LABEL_PREFIX}ingress-controller`;

/**
 * Namespace label that lets another area's ingress controller in (the seed's workaround namespaces carry
 * `ingress-from-internalservices`), so the controller's egress can select them by label.
 */
export function extraIngressLabel(controllerArea: string): string {
  return `${LABEL_PREFIX}ingress-from-${controllerArea}`;
}

/** Label keys on namespaces that decide reachability and so only the platform may set. */
export function isProtectedNamespaceLabel(key: string): boolean {
  return key === AREA_LABEL || key.startsWith(LABEL_PREFIX);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why Kubernetes would refuse this namespace (or other object) name, or undefined when it is valid. */
export function namespaceNameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > 63) return `is ${name.length} characters long; Kubernetes allows at most 63`;
  if (!DNS1123_LABEL.test(name)) {
    return "is not a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit)";
  }
  return undefined;
}

/** Why Kubernetes would refuse this label key, or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return "has a prefix that is not a DNS subdomain";
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return "is not a valid label name (at most 63 of [A-Za-z0-9-_.], starting and ending alphanumeric)";
  }
  return undefined;
}

/** Why Kubernetes would refuse this label value, or undefined when it is valid. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `is ${value.length} characters long; label values allow at most 63`;
  if (value.length > 0 && !LABEL_NAME.test(value)) {
    return "is not a valid label value ([A-Za-z0-9-_.], starting and ending alphanumeric)";
  }
  return undefined;
}
