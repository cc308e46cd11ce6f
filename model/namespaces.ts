/**
 * Every namespace the stack manages: the area namespaces of the config, the tools' namespaces and one per
 * area ingress controller. Only area namespaces carry `networkArea`; a controller namespace with the label
 * would hand the public controller its area's right to reach the other areas.
 *
 * A retired namespace (`retired: true`) keeps the managed label and the `retired` role, nothing that makes it
 * a member of an area. It is no longer protected, only retained, so dropping it from config afterwards
 * leaves it in the cluster without failing the update.
 *
 * A namespace's logical name is its Kubernetes name and nothing else. Moving it between areas or phases
 * changes labels and policies in place; it never replaces the namespace, which would delete every workload
 * in it.
 */

import { AREA_LABEL, extraIngressLabel, MANAGED_LABEL, PHASE_LABEL, ROLE_LABEL } from "../core/labels";
import type { Area } from "./areas";
import type { SegmentationConfig } from "./config";
import { CONTROLLERS } from "./controllers";
import { meshNamespaceAnnotations } from "./mesh/plan";

export type NamespaceRole = "area" | "retired" | "tool" | "ingress-controller";

export interface NamespaceSpec {
  /** Pulumi logical name: the namespace's own name. */
  resourceName: string;
  name: string;
  role: NamespaceRole;
  /** Present for area namespaces only. */
  area?: Area;
  labels: Readonly<Record<string, string>>;
  /** Annotations the stack sets (the mesh's injection and default policy); empty when there are none. */
  annotations: Readonly<Record<string, string>>;
  /**
   * Whether Pulumi refuses to delete it. Every namespace is retained when it leaves the stack; all but
   * retired ones are also protected, so that dropping one from config by mistake stops the update.
   */
  protect: boolean;
}

export function planNamespaces(config: SegmentationConfig): NamespaceSpec[] {
  const areaNamespaces = config.namespaces.map(
    (ns): NamespaceSpec => ({
      resourceName: ns.name,
      name: ns.name,
      role: "area",
      area: ns.area,
      labels: {
        ...ns.labels,
        [MANAGED_LABEL]: "true",
        [ROLE_LABEL]: "area",
        [AREA_LABEL]: ns.area,
        [PHASE_LABEL]: ns.phase,
        ...Object.fromEntries(ns.extraIngressControllers.map((area) => [extraIngressLabel(area), "true"])),
      },
      annotations: meshNamespaceAnnotations(config, ns.name),
      protect: true,
    }),
  );
  const retired = config.retiredNamespaces.map(
    (ns): NamespaceSpec => ({
      resourceName: ns.name,
      name: ns.name,
      role: "retired",
      labels: { ...ns.labels, [MANAGED_LABEL]: "true", [ROLE_LABEL]: "retired" },
      annotations: {},
      protect: false,
    }),
  );
  const platform = (name: string, role: NamespaceRole): NamespaceSpec => ({
    resourceName: name,
    name,
    role,
    labels: { [MANAGED_LABEL]: "true", [ROLE_LABEL]: role },
    annotations: meshNamespaceAnnotations(config, name),
    protect: true,
  });
  const tools = [config.tools.monitoring.namespace, config.tools.vault.namespace].map((name) =>
    platform(name, "tool"),
  );
  const controllers = CONTROLLERS.map((controller) => platform(controller.namespace, "ingress-controller"));
  return [...areaNamespaces, ...retired, ...tools, ...controllers].sort((a, b) => (a.name < b.name ? -1 : 1));
}
