/**
 * Checks on the Namespaces a stack declares, as pure functions of the resource's inputs and options so they
 * can be tested without the Pulumi engine. `policies.ts` wires them into the pack.
 *
 * The runtime mocks see inputs only; whether a namespace is protected is a resource option, which only the
 * engine (and so a policy pack) sees on a real preview or update.
 */

import { AREA_LABEL, MANAGED_LABEL, ROLE_LABEL } from "../core/labels";
import { AREAS, isArea } from "../model/areas";

/** The part of a Kubernetes object's metadata the checks read. */
export interface MetadataLike {
  name?: string;
  namespace?: string;
  labels?: Readonly<Record<string, string>>;
}

export interface NamespaceLike {
  metadata?: MetadataLike;
}

/** The resource options the protection check reads (the engine's `PolicyResourceOptions` has more). */
export interface ProtectionOptions {
  protect: boolean;
}

function labelsOf(namespace: NamespaceLike): Readonly<Record<string, string>> {
  return namespace.metadata?.labels ?? {};
}

function nameOf(namespace: NamespaceLike): string {
  return namespace.metadata?.name ?? "(unnamed)";
}

/**
 * Whether the stack owns the namespace. A namespace with a netseg role counts even without the managed
 * label: the role is only ever set by the stack, and losing one label must not switch the protection check
 * off.
 */
export function isManagedNamespace(namespace: NamespaceLike): boolean {
  const labels = labelsOf(namespace);
  return labels[MANAGED_LABEL] === "true" || labels[ROLE_LABEL] !== undefined;
}

/**
 * Violations of "a managed namespace is protected": empty when the namespace is fine. A retired namespace is
 * only retained, so that it can leave the stack without failing the update; the cluster keeps it.
 */
export function managedNamespaceProtectionProblems(
  namespace: NamespaceLike,
  options: ProtectionOptions,
): string[] {
  if (!isManagedNamespace(namespace) || options.protect) return [];
  if (labelsOf(namespace)[ROLE_LABEL] === "retired") return [];
  return [
    `Namespace "${nameOf(namespace)}" is managed by the segmentation stack but not protected. Deleting or ` +
      "replacing a namespace deletes every workload in it, so declare it with `protect: true`, and with " +
      "`retainOnDelete: true` so that dropping it from config leaves it in the cluster.",
  ];
}

/**
 * Violations of "area labels are consistent": a namespace with the `area` role carries a `networkArea` that
 * is one of the areas, and no other namespace carries `networkArea` at all (the label grants the area's
 * reach, so an ingress controller's or a tool's namespace with it would reach what its area reaches).
 */
export function namespaceAreaLabelProblems(namespace: NamespaceLike): string[] {
  const labels = labelsOf(namespace);
  const name = nameOf(namespace);
  const role = labels[ROLE_LABEL];
  const area = labels[AREA_LABEL];
  if (role === "area") {
    if (area === undefined) {
      return [
        `Namespace "${name}" has the area role but no "${AREA_LABEL}" label, so no area rule admits its ` +
          `traffic; give it one of ${AREAS.join(", ")} (segmentation:namespaces.${name}.area).`,
      ];
    }
    if (!isArea(area)) {
      return [
        `Namespace "${name}" has ${AREA_LABEL}="${area}", which is not an area; use one of ${AREAS.join(", ")}.`,
      ];
    }
    return [];
  }
  if (area !== undefined) {
    const what = role === undefined ? "no netseg role" : `the "${role}" role`;
    return [
      `Namespace "${name}" has ${what} but carries ${AREA_LABEL}="${area}". Only area namespaces may carry ` +
        `the label: it grants the area's reach to every pod in the namespace. Remove the label, or declare ` +
        "the namespace under segmentation:namespaces.",
    ];
  }
  return [];
}
