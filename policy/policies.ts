/**
 * The pack's policies: each one wires a pure check from this folder to the resources it applies to and
 * reports what the check returns. The checks themselves know nothing about the engine.
 */
import * as k8s from "@pulumi/kubernetes";
import {
  type Policies,
  type ReportViolation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
  validateResourceOfType,
} from "@pulumi/policy";
import { managedNamespaceProtectionProblems, namespaceAreaLabelProblems } from "./namespaces";
import { allowAllIngressViolations } from "./networkPolicies";
import { CHECKED_TYPES, type PublicIngressOptions, publicIngressProblems } from "./securityGroups";

// Matched by type token rather than through the @pulumi/aws classes: the check reads plain inputs, and the
// pack need not load (and type-check) the whole AWS SDK to know a few type names.
function reportPublicIngress(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
  if (!CHECKED_TYPES.includes(args.type)) return;
  const options = { publicSecurityGroups: [], ...args.getConfig<Partial<PublicIngressOptions>>() };
  const resource = { type: args.type, name: args.name, props: args.props };
  for (const problem of publicIngressProblems(resource, options)) reportViolation(problem);
}

export const managedNamespaceProtected: ResourceValidationPolicy = {
  name: "managed-namespace-protected",
  description:
    "Namespaces the segmentation stack manages are declared with protect (and retainOnDelete): deleting " +
    "or replacing one deletes every workload in it.",
  enforcementLevel: "mandatory",
  severity: "critical",
  validateResource: validateResourceOfType(k8s.core.v1.Namespace, (namespace, args, reportViolation) => {
    for (const problem of managedNamespaceProtectionProblems(namespace, args.opts)) reportViolation(problem);
  }),
};

export const securityGroupNotOpenToInternet: ResourceValidationPolicy = {
  name: "security-group-not-open-to-internet",
  description:
    "No security-group ingress the stack declares opens a group (above all a data store's) to 0.0.0.0/0 " +
    "or ::/0, directly or through a prefix list, except on groups listed in publicSecurityGroups.",
  // Mandatory: the stack has no reason to open anything to the internet, a false positive costs one
  // reviewed config entry, and a miss puts a database on the internet.
  enforcementLevel: "mandatory",
  severity: "critical",
  configSchema: {
    properties: {
      publicSecurityGroups: {
        type: "array",
        items: { type: "string" },
        default: [],
        description:
          "Security group ids (or Pulumi names of groups the stack declares) allowed to face the internet.",
      },
    },
  },
  validateResource: reportPublicIngress,
};

export const namespaceAreaLabel: ResourceValidationPolicy = {
  name: "namespace-area-label",
  description:
    "Every namespace with the area role carries a networkArea that is one of the areas, and no other " +
    "namespace carries networkArea.",
  enforcementLevel: "mandatory",
  severity: "high",
  validateResource: validateResourceOfType(k8s.core.v1.Namespace, (namespace, _args, reportViolation) => {
    for (const problem of namespaceAreaLabelProblems(namespace)) reportViolation(problem);
  }),
};

export const areaNamespaceNoAllowAllIngress: StackValidationPolicy = {
  name: "area-namespace-no-allow-all-ingress",
  description:
    "No NetworkPolicy in an area namespace has an ingress rule that admits every source (no from, an " +
    "empty namespaceSelector without a pod selector, or an ipBlock of 0.0.0.0/0).",
  enforcementLevel: "mandatory",
  severity: "high",
  validateStack: (args, reportViolation) => {
    for (const { urn, message } of allowAllIngressViolations(args.resources)) reportViolation(message, urn);
  },
};

export const policies: Policies = [
  managedNamespaceProtected,
  securityGroupNotOpenToInternet,
  namespaceAreaLabel,
  areaNamespaceNoAllowAllIngress,
];
