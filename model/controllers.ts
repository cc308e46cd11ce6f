/**
 * Who each area's ingress controller is, as the rest of the cluster sees it: its namespace, its release,
 * its IngressClass and the pod labels NetworkPolicies select it by. The area namespaces' default policies
 * and the controllers themselves both take these from here, so they agree by construction.
 *
 * Every value is derived from the area alone and never changes with config or chart upgrades: a renamed
 * namespace or release would delete the controller, and drifted pod labels would silently cut every area
 * off from its own controller.
 */
import { AREAS, type Area } from "./areas";
import { CONTROLLER_POD_LABEL } from "./labels";

export interface ControllerIdentity {
  area: Area;
  /** The controller's own namespace; it carries no area label. */
  namespace: string;
  /** The Helm release name, fixed so the chart's resource names never change. */
  releaseName: string;
  /** The IngressClass services put in `spec.ingressClassName` to be served by this controller. */
  ingressClass: string;
  /** Labels on the controller's pods, set by the stack through the chart values. */
  podLabels: Readonly<Record<string, string>>;
}

export function controllerIdentity(area: Area): ControllerIdentity {
  return {
    area,
    namespace: `ingress-${area}`,
    releaseName: `ingress-${area}`,
    ingressClass: area,
    podLabels: { [CONTROLLER_POD_LABEL]: area },
  };
}

export const CONTROLLERS: readonly ControllerIdentity[] = AREAS.map(controllerIdentity);
