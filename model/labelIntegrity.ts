/**
 * Label integrity: the admission policies that make the cluster enforce what the stack decides. Whoever can
 * set `networkArea` (or any `netseg.dev/` label) on a namespace chooses who may reach it, and whoever can
 * edit a namespace's default NetworkPolicies can undo its isolation; Capsule #200 shows tenants doing
 * exactly that. ValidatingAdmissionPolicies refuse such changes unless a platform principal makes them:
 *
 *   namespace-labels.netseg.dev   setting, changing or removing a protected label on any namespace
 *   default-policies.netseg.dev   creating, changing or deleting a NetworkPolicy that is the platform's
 *   tenant-egress.netseg.dev      (NetworkPolicy mode) a team policy whose egress crosses its area's
 *                                 bounds (model/tenantEgress.ts)
 *
 * Everything the API server evaluates is rendered here as plain objects, so tests run these exact CEL
 * expressions against admission requests and the component only declares them.
 */
import type {
  MatchCondition,
  MatchResources,
  NamedRuleWithOperations,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
  ValidatingAdmissionPolicySpec,
  Validation,
} from "kubernetes-types/admissionregistration/v1";
import { AREA_LABEL, DEFAULT_POLICY_LABEL, LABEL_PREFIX, MANAGED_LABEL } from "../core/labels";
import type { LabelIntegrityConfig, SegmentationConfig } from "./config";
import { DESCRIPTION_ANNOTATION } from "./policy";
import { TENANT_EGRESS_POLICY, tenantEgressSpec } from "./tenantEgress";

export type Enforcement = LabelIntegrityConfig["enforcement"];
export type ValidationAction = "Deny" | "Warn" | "Audit";

/**
 * What the bindings do with a refused change, per rollout step. Audit goes with every step so the audit log
 * keeps one record of attempts whatever the mode; Deny and Warn never go together (the API refuses the pair).
 */
export const VALIDATION_ACTIONS: Readonly<Record<Enforcement, readonly ValidationAction[]>> = {
  audit: ["Audit"],
  warn: ["Warn", "Audit"],
  deny: ["Deny", "Audit"],
};

export const NAMESPACE_LABELS_POLICY = "namespace-labels.netseg.dev";
export const DEFAULT_POLICIES_POLICY = "default-policies.netseg.dev";

/** Every NetworkPolicy the stack creates is named with this prefix; nobody else may use it. */
export const RESERVED_POLICY_NAME_PREFIX = "netseg-";

/** Labels that mark a NetworkPolicy as the platform's, on the old object or the new one. */
export const PLATFORM_POLICY_LABELS: readonly string[] = [DEFAULT_POLICY_LABEL, MANAGED_LABEL];

/**
 * The namespace controller deletes every object of a namespace being deleted, default policies included;
 * refusing it would leave the namespace stuck in Terminating. Its own service account when the controller
 * manager runs with per-controller credentials (as on EKS), the controller manager's user otherwise.
 */
export const NAMESPACE_CLEANUP_USERS: readonly string[] = [
  "system:serviceaccount:kube-system:namespace-controller",
  "system:kube-controller-manager",
];

/** A resource rule as the API defines it: kubernetes-types leaves out the fields inlined from `Rule`. */
export type ResourceRule = NamedRuleWithOperations & {
  resources: string[];
  scope?: "Cluster" | "Namespaced" | "*";
};

export type AdmissionPolicy = Omit<ValidatingAdmissionPolicy, "spec"> & {
  spec: Omit<ValidatingAdmissionPolicySpec, "matchConstraints"> & {
    matchConstraints: Omit<MatchResources, "resourceRules"> & { resourceRules: ResourceRule[] };
  };
};

export interface AdmissionPolicySpec {
  /** Pulumi logical names, fixed: renaming them would delete and recreate the guard. */
  policyResourceName: string;
  bindingResourceName: string;
  policy: AdmissionPolicy;
  binding: ValidatingAdmissionPolicyBinding;
}

export interface LabelIntegrityPlan {
  enforcement: Enforcement;
  validationActions: ValidationAction[];
  /** Kubernetes usernames exempt from the policies: the configured users and service accounts. */
  platformUsers: string[];
  platformGroups: string[];
  policies: AdmissionPolicySpec[];
}

export function planLabelIntegrity(config: SegmentationConfig): LabelIntegrityPlan {
  const { enforcement, platformPrincipals, contact } = config.labelIntegrity;
  const platformUsers = [
    ...platformPrincipals.users,
    ...platformPrincipals.serviceAccounts.map(serviceAccountUsername),
  ].sort();
  const platformGroups = [...platformPrincipals.groups].sort();
  const exempt = platformExemption(platformUsers, platformGroups);
  const validationActions = [...VALIDATION_ACTIONS[enforcement]];
  return {
    enforcement,
    validationActions,
    platformUsers,
    platformGroups,
    policies: [
      admissionPolicy(
        "label-integrity-namespace-labels",
        NAMESPACE_LABELS_POLICY,
        validationActions,
        namespaceLabelsSpec(exempt, contact),
      ),
      admissionPolicy(
        "label-integrity-default-policies",
        DEFAULT_POLICIES_POLICY,
        validationActions,
        defaultPoliciesSpec(exempt, contact),
      ),
      // In cluster-tier mode the Admin tier holds these bounds whatever a policy says.
      ...(config.policyMode === "networkPolicy"
        ? [
            admissionPolicy(
              "label-integrity-tenant-egress",
              TENANT_EGRESS_POLICY,
              validationActions,
              tenantEgressSpec(config, exempt),
            ),
          ]
        : []),
    ],
  };
}

/** The username Kubernetes gives a service account written as `namespace:name` in config. */
export function serviceAccountUsername(serviceAccount: string): string {
  return `system:serviceaccount:${serviceAccount}`;
}

export type PolicySpecBody = AdmissionPolicy["spec"] & { description: string };

function admissionPolicy(
  resourceName: string,
  name: string,
  validationActions: ValidationAction[],
  { description, ...spec }: PolicySpecBody,
): AdmissionPolicySpec {
  const metadata = {
    name,
    labels: { [MANAGED_LABEL]: "true" },
    annotations: { [DESCRIPTION_ANNOTATION]: description },
  };
  return {
    policyResourceName: resourceName,
    bindingResourceName: `${resourceName}-binding`,
    policy: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata,
      spec,
    },
    binding: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata,
      // No matchResources: the binding covers everything the policy matches, in every namespace.
      spec: { policyName: name, validationActions: [...validationActions] },
    },
  };
}

/**
 * Skips the policy for platform principals. Match conditions cannot see `variables`, and an error in one
 * would refuse the request under `failurePolicy: Fail`, so this reads only fields every request has and
 * guards `groups`, which the API server omits when empty.
 */
function platformExemption(users: readonly string[], groups: readonly string[]): MatchCondition[] {
  const clauses: string[] = [];
  if (users.length > 0) clauses.push(`request.userInfo.username in ${celList(users)}`);
  if (groups.length > 0) {
    clauses.push(
      `(has(request.userInfo.groups) && request.userInfo.groups.exists(g, g in ${celList(groups)}))`,
    );
  }
  // With no principal configured (allowed in audit and warn only) nobody is exempt, the stack included.
  if (clauses.length === 0) return [];
  return [{ name: "not-a-platform-principal", expression: `!(${clauses.join(" || ")})` }];
}

// CEL runs inside the API server, so unlike a webhook there is no outage to fail open for: an expression
// that cannot be evaluated counts as a refusal (enforced as the binding's actions say, so only in deny
// mode does it block anyone), and a tenant can never slip through a bug.
const FAILURE_POLICY = "Fail";

function namespaceLabelsSpec(exempt: MatchCondition[], contact: string): PolicySpecBody {
  const isProtected = protectedLabelCel("k");
  return {
    description: `Only platform principals may set, change or remove ${AREA_LABEL} or ${LABEL_PREFIX}* labels on a namespace: they decide which areas reach it.`,
    failurePolicy: FAILURE_POLICY,
    matchConstraints: {
      matchPolicy: "Equivalent",
      resourceRules: [
        {
          apiGroups: [""],
          apiVersions: ["v1"],
          // Deleting a namespace changes no label of a living one. The status and finalize subresources
          // keep the metadata of the request, so they could carry a relabel past a rule on the main resource.
          operations: ["CREATE", "UPDATE"],
          resources: ["namespaces", "namespaces/*"],
        },
      ],
    },
    matchConditions: exempt,
    variables: [
      { name: "newLabels", expression: labelsOf("object") },
      { name: "oldLabels", expression: labelsOf("oldObject") },
      {
        name: "touchedLabels",
        expression:
          `variables.newLabels.filter(k, ${isProtected} && (!(k in variables.oldLabels) || variables.oldLabels[k] != variables.newLabels[k]))` +
          ` + variables.oldLabels.filter(k, ${isProtected} && !(k in variables.newLabels))`,
      },
    ],
    validations: [
      refusal(
        "size(variables.touchedLabels) == 0",
        `Only the platform may set, change or remove the ${AREA_LABEL} and ${LABEL_PREFIX}* labels of a namespace: they decide which areas reach it. To move a namespace between areas, ask ${contact}.`,
        `request.userInfo.username + " may not set, change or remove " + variables.touchedLabels.join(", ") + " on namespace " + object.metadata.name + ": these labels decide which areas reach the namespace, and only the platform sets them. To move a namespace between areas, ask " + ${celString(contact)} + "."`,
      ),
    ],
  };
}

function defaultPoliciesSpec(exempt: MatchCondition[], contact: string): PolicySpecBody {
  const labels = PLATFORM_POLICY_LABELS.join(", ");
  return {
    description: `Only platform principals may create, change or delete NetworkPolicies named ${RESERVED_POLICY_NAME_PREFIX}* or carrying a ${LABEL_PREFIX}* label (such as ${labels}): the default policies that isolate each namespace.`,
    failurePolicy: FAILURE_POLICY,
    matchConstraints: {
      matchPolicy: "Equivalent",
      resourceRules: [
        {
          apiGroups: ["networking.k8s.io"],
          apiVersions: ["v1"],
          operations: ["CREATE", "UPDATE", "DELETE"],
          resources: ["networkpolicies"],
        },
      ],
    },
    matchConditions: [
      ...exempt,
      {
        name: "not-namespace-cleanup",
        expression: `!(request.operation == "DELETE" && request.userInfo.username in ${celList(NAMESPACE_CLEANUP_USERS)})`,
      },
    ],
    variables: [
      // Old OR new: removing the labels in an update is itself a change to a platform policy, and adding
      // them (or the reserved name) to a policy of one's own would impersonate one.
      {
        name: "platformOwned",
        expression: `${platformOwnedCel("object")} || ${platformOwnedCel("oldObject")}`,
      },
      { name: "policy", expression: "object != null ? object : oldObject" },
      {
        name: "verb",
        expression: `request.operation == "DELETE" ? "delete" : (request.operation == "CREATE" ? "create" : "change")`,
      },
    ],
    validations: [
      refusal(
        "!variables.platformOwned",
        `Only the platform may create, change or delete the default NetworkPolicies of the network segmentation (named ${RESERVED_POLICY_NAME_PREFIX}* or with a ${LABEL_PREFIX}* label). Name and label your own policies differently; to change a default policy, ask ${contact}.`,
        `request.userInfo.username + " may not " + variables.verb + " NetworkPolicy " + variables.policy.metadata.namespace + "/" + variables.policy.metadata.name + ": the default policies of the network segmentation (named ${RESERVED_POLICY_NAME_PREFIX}* or with a ${LABEL_PREFIX}* label) belong to the platform. Name and label your own policies differently; to change a default policy, ask " + ${celString(contact)} + "."`,
      ),
    ],
  };
}

function refusal(expression: string, message: string, messageExpression: string): Validation {
  // Forbidden (403) rather than the default Invalid (422): the object is fine, the requester is not allowed.
  return { expression, message, messageExpression, reason: "Forbidden" };
}

/** The labels of `object` or `oldObject`, empty when the object is absent (CREATE, DELETE) or unlabelled. */
function labelsOf(variable: "object" | "oldObject"): string {
  return `${variable} != null && has(${variable}.metadata.labels) ? ${variable}.metadata.labels : {}`;
}

/**
 * A policy is the platform's when it has the reserved name or any label of the platform's prefix: the
 * prefix is the platform's as a whole (the README promises tenants' policies carry none), so a label the
 * stack adds later is covered without a change here.
 */
function platformOwnedCel(variable: "object" | "oldObject"): string {
  return (
    `(${variable} != null && (${variable}.metadata.name.startsWith(${celString(RESERVED_POLICY_NAME_PREFIX)})` +
    ` || (has(${variable}.metadata.labels) && ${variable}.metadata.labels.exists(k, k.startsWith(${celString(LABEL_PREFIX)})))))`
  );
}

/** CEL for `isProtectedNamespaceLabel(key)`, with `key` a CEL expression of type string. */
export function protectedLabelCel(key: string): string {
  return `(${key} == ${celString(AREA_LABEL)} || ${key}.startsWith(${celString(LABEL_PREFIX)}))`;
}

/**
 * A CEL string literal for any text: CEL's double-quoted strings take the escapes JSON produces (`\"`,
 * `\\`, `\n`, `\uXXXX`), so config values such as the contact cannot break out of the expression.
 */
export function celString(value: string): string {
  return JSON.stringify(value);
}

function celList(values: readonly string[]): string {
  return `[${values.map(celString).join(", ")}]`;
}
