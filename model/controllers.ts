/**
 * Who each area's ingress controller is, as the rest of the cluster sees it: its namespace, its release,
 * its IngressClass and the pod labels NetworkPolicies select it by. The area namespaces' default policies
 * and the controllers themselves both take these from here, so they agree by construction.
 *
 * Every value is derived from the area alone and never changes with config or chart upgrades: a renamed
 * namespace or release would delete the controller, and drifted pod labels would silently cut every area
 * off from its own controller.
 */

import { CONTROLLER_POD_LABEL, LABEL_PREFIX } from "../core/labels";
import { AREAS, type Area } from "./areas";

/** Container ports of a controller pod, which its own NetworkPolicies open. */
export interface ControllerPorts {
  /** Plain HTTP entry point. */
  http: number;
  /** TLS entry point. */
  https: number;
  /** Health endpoint the load balancer probes (`/ping`). */
  health: number;
  /** Prometheus metrics. */
  metrics: number;
}

export interface ControllerIdentity {
  area: Area;
  /** The controller's own namespace; it carries no area label. */
  namespace: string;
  /** The Helm release name, fixed so the chart's resource names never change. */
  releaseName: string;
  /** The IngressClass services put in `spec.ingressClassName` to be served by this controller. */
  ingressClass: string;
  /**
   * The IngressClass's `spec.controller`, unique per area: a controller serves only classes naming its own
   * value, so two areas' controllers can never pick up the same Ingress. Immutable once the class exists.
   */
  controllerClass: string;
  /** Labels on the controller's pods, set by the stack through the chart values. */
  podLabels: Readonly<Record<string, string>>;
  ports: Readonly<ControllerPorts>;
  /**
   * Port of an admission webhook the API server calls, when the controller serves one. The control plane
   * must be let in on it, or every Ingress write times out.
   */
  webhookPort?: number;
}

// Traefik listens on unprivileged ports (it runs as non-root) and serves no admission webhook.
const TRAEFIK_PORTS: ControllerPorts = { http: 8000, https: 8443, health: 8080, metrics: 9100 };

export function controllerIdentity(area: Area): ControllerIdentity {
  return {
    area,
    namespace: `ingress-${area}`,
    releaseName: `ingress-${area}`,
    ingressClass: area,
    controllerClass: `${LABEL_PREFIX}ingress-${area}`,
    podLabels: { [CONTROLLER_POD_LABEL]: area },
    ports: TRAEFIK_PORTS,
  };
}

export const CONTROLLERS: readonly ControllerIdentity[] = AREAS.map(controllerIdentity);
