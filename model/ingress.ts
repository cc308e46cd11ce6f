/**
 * One ingress controller per area: Traefik Proxy, released from its pinned Helm chart into the area's
 * controller namespace, serving the `Ingress` API through its ingress-nginx compatibility provider.
 *
 * Why these choices (README "Ingress controllers" has the long form):
 * - ingress-nginx is retired; Traefik is maintained, serves `Ingress`, and its `kubernetesIngressNGINX`
 *   provider reads the `nginx.ingress.kubernetes.io/*` annotations the services' charts already carry.
 * - That provider, unlike Traefik's plain Ingress provider, takes a configurable controller class. The plain
 *   provider serves every IngressClass whose controller is `traefik.io/ingress-controller`, so three
 *   Traefik releases would each serve all three areas' Ingresses and bypass every allowlist. Here each area
 *   has its own controller class, and the other providers (plain Ingress, CRDs, Gateway) stay off.
 * - Non-public areas sit behind an NLB of the AWS Load Balancer Controller with IP targets and client IP
 *   preservation, so `loadBalancerSourceRanges` becomes the NLB's security group and Traefik sees real
 *   client addresses without trusting any header. The public area sits behind an ALB carrying the WAF
 *   (`ingressWaf.ts`); Traefik trusts `X-Forwarded-*` from the cluster VPC only, where the ALB's nodes live.
 *
 * Everything here is plain data; `components/ingressController.ts` only declares it.
 */

import { ALL_IPV4, isPublic } from "../core/cidr";
import { MANAGED_LABEL } from "../core/labels";
import { AREAS, type Area } from "./areas";
import type { IngressControllerConfig, SegmentationConfig } from "./config";
import { type ControllerIdentity, controllerIdentity } from "./controllers";
import { controllerConfig, planControllerPolicies } from "./ingressPolicies";
import type { PolicySpec } from "./policy";

/**
 * The pinned chart. Chart 41.6.0 ships Traefik Proxy v3.7.13; upgrade by changing `version` only (see the
 * README): the release name and namespace come from the controller identity and never change.
 */
export const TRAEFIK_CHART = {
  chart: "traefik",
  repository: "https://traefik.github.io/charts",
  version: "41.6.0",
} as const;

/** `spec.loadBalancerClass` that hands a Service to the AWS Load Balancer Controller as an NLB. */
export const NLB_LOAD_BALANCER_CLASS = "service.k8s.aws/nlb";

/** Every IPv4 address; only the public controller's ALB listens to it. */
export const ANYWHERE = ALL_IPV4;

/** Names of Traefik's entry points in the chart (`ports.<name>`); the nginx provider routes on the first two. */
export const ENTRY_POINTS = {
  http: "web",
  https: "websecure",
  health: "traefik",
  metrics: "metrics",
} as const;

export type LoadBalancerScheme = "internet-facing" | "internal";

/** What sits in front of a controller and who may reach it. */
export type LoadBalancerPlan =
  | {
      kind: "nlb";
      scheme: LoadBalancerScheme;
      /** Exactly the area's configured sources; the NLB's security group admits nothing else. */
      sourceRanges: string[];
    }
  | { kind: "alb"; scheme: "internet-facing"; sourceRanges: [typeof ANYWHERE] };

/** An `IngressClass` object as the API takes it. */
export interface IngressClassObject {
  apiVersion: "networking.k8s.io/v1";
  kind: "IngressClass";
  metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: { controller: string; parameters?: { apiGroup: string; kind: string; name: string } };
}

interface EntryPointValues {
  port: number;
  expose: { default: boolean };
  exposedPort?: number;
  forwardedHeaders?: { trustedIPs: string[]; insecure: false };
}

/** The subset of the Traefik chart's values the stack sets; every key exists in the pinned chart's schema. */
export interface TraefikValues {
  deployment: { replicas: number; podLabels: Record<string, string> };
  podDisruptionBudget: { enabled: true; maxUnavailable: number };
  ingressClass: { enabled: false };
  providers: {
    kubernetesIngress: { enabled: false };
    kubernetesCRD: { enabled: false };
    kubernetesGateway: { enabled: false };
    kubernetesIngressNGINX: {
      enabled: true;
      ingressClass: string;
      controllerClass: string;
      ingressClassByName: false;
      watchIngressWithoutClass: false;
      httpEntryPoint: string;
      httpsEntryPoint: string;
      publishService: { enabled: boolean };
    };
  };
  ports: Record<(typeof ENTRY_POINTS)[keyof typeof ENTRY_POINTS], EntryPointValues>;
  service: {
    annotations: Record<string, string>;
    spec:
      | {
          type: "LoadBalancer";
          loadBalancerClass: string;
          loadBalancerSourceRanges: string[];
          allocateLoadBalancerNodePorts: false;
        }
      | { type: "ClusterIP" };
  };
  global: { checkNewVersion: false; sendAnonymousUsage: false };
}

export interface IngressControllerPlan {
  area: Area;
  identity: ControllerIdentity;
  /** Pulumi logical name of the controller's component; the same as its fixed release name. */
  resourceName: string;
  chart: typeof TRAEFIK_CHART;
  /** The Service the chart renders (its `traefik.fullname`: release name plus "-traefik"). */
  serviceName: string;
  ingressClass: IngressClassObject;
  loadBalancer: LoadBalancerPlan;
  /** Addresses whose `X-Forwarded-*` headers Traefik believes; empty when clients connect directly. */
  trustedProxyCidrs: string[];
  values: TraefikValues;
  policies: PolicySpec[];
}

const REPLICAS = 2;

/** Every area's controller, in the order of `AREAS`. */
export function planIngressControllers(config: SegmentationConfig): IngressControllerPlan[] {
  return AREAS.map((area) => planIngressController(config, area));
}

export function planIngressController(config: SegmentationConfig, area: Area): IngressControllerPlan {
  const identity = controllerIdentity(area);
  return {
    area,
    identity,
    resourceName: identity.releaseName,
    chart: TRAEFIK_CHART,
    serviceName: serviceName(identity),
    ingressClass: toIngressClass(identity),
    loadBalancer: loadBalancerPlan(controllerConfig(config, area)),
    trustedProxyCidrs: trustedProxyCidrs(config, area),
    values: ingressValues(config, area),
    policies: planControllerPolicies(config, area),
  };
}

/** The Helm values of an area's controller. */
export function ingressValues(config: SegmentationConfig, area: Area): TraefikValues {
  const identity = controllerIdentity(area);
  const controller = controllerConfig(config, area);
  const loadBalancer = loadBalancerPlan(controller);
  const forwardedHeaders = { trustedIPs: trustedProxyCidrs(config, area), insecure: false as const };
  const { ports } = identity;
  return {
    deployment: { replicas: REPLICAS, podLabels: { ...identity.podLabels } },
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    // The stack declares the IngressClass itself: the chart's would name Traefik's fixed controller value.
    ingressClass: { enabled: false },
    providers: {
      kubernetesIngress: { enabled: false },
      kubernetesCRD: { enabled: false },
      kubernetesGateway: { enabled: false },
      kubernetesIngressNGINX: {
        enabled: true,
        ingressClass: identity.ingressClass,
        controllerClass: identity.controllerClass,
        ingressClassByName: false,
        watchIngressWithoutClass: false,
        httpEntryPoint: ENTRY_POINTS.http,
        httpsEntryPoint: ENTRY_POINTS.https,
        // The NLB's address is the Service's; behind the ALB the Service is internal and has none to publish.
        publishService: { enabled: loadBalancer.kind === "nlb" },
      },
    },
    ports: {
      [ENTRY_POINTS.http]: { port: ports.http, expose: { default: true }, exposedPort: 80, forwardedHeaders },
      [ENTRY_POINTS.https]: {
        port: ports.https,
        expose: { default: true },
        exposedPort: 443,
        forwardedHeaders,
      },
      [ENTRY_POINTS.health]: { port: ports.health, expose: { default: false } },
      [ENTRY_POINTS.metrics]: { port: ports.metrics, expose: { default: false } },
    },
    service:
      loadBalancer.kind === "nlb"
        ? {
            annotations: nlbAnnotations(loadBalancer.scheme),
            spec: {
              type: "LoadBalancer",
              loadBalancerClass: NLB_LOAD_BALANCER_CLASS,
              loadBalancerSourceRanges: [...loadBalancer.sourceRanges],
              // IP targets need no node ports, and an open node port would bypass the NLB's allowlist.
              allocateLoadBalancerNodePorts: false,
            },
          }
        : { annotations: {}, spec: { type: "ClusterIP" } },
    // The controller has no egress to the internet; the version check would only fail and log.
    global: { checkNewVersion: false, sendAnonymousUsage: false },
  };
}

/**
 * Annotations of the AWS Load Balancer Controller (docs/guide/service/annotations.md) for an NLB whose
 * source ranges actually apply: IP targets with client IP preservation (off by default for IP targets,
 * without it every packet comes from the NLB and the ranges match nothing), and security groups the
 * controller manages, so `loadBalancerSourceRanges` become the NLB's inbound rules.
 */
function nlbAnnotations(scheme: LoadBalancerScheme): Record<string, string> {
  return {
    "service.beta.kubernetes.io/aws-load-balancer-scheme": scheme,
    "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    "service.beta.kubernetes.io/aws-load-balancer-target-group-attributes": "preserve_client_ip.enabled=true",
    "service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules": "true",
  };
}

function loadBalancerPlan(controller: IngressControllerConfig): LoadBalancerPlan {
  if (controller.public) return { kind: "alb", scheme: "internet-facing", sourceRanges: [ANYWHERE] };
  // Offices, VPNs and NAT gateways reach the NLB over the internet by their public addresses; an allowlist of
  // private ranges only (sources behind peering or a VPN attachment) needs an internal NLB instead.
  const scheme = controller.allowedCidrs.some(isPublic) ? "internet-facing" : "internal";
  return { kind: "nlb", scheme, sourceRanges: [...controller.allowedCidrs] };
}

/**
 * Behind the ALB, requests arrive from the ALB's nodes in its own subnets with the client in
 * `X-Forwarded-For`; only those addresses are believed, not the rest of the VPC, where a pod could forge the
 * header. Behind an NLB the client connects directly, so no one is: Traefik then replaces any
 * `X-Forwarded-*` a client sends.
 */
function trustedProxyCidrs(config: SegmentationConfig, area: Area): string[] {
  const controller = controllerConfig(config, area);
  return controller.public ? [...controller.loadBalancerSubnets] : [];
}

function serviceName(identity: ControllerIdentity): string {
  return `${identity.releaseName}-${TRAEFIK_CHART.chart}`;
}

/** The area's IngressClass; never the cluster default, so an Ingress without a class reaches no area. */
export function toIngressClass(identity: ControllerIdentity): IngressClassObject {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "IngressClass",
    metadata: { name: identity.ingressClass, labels: { [MANAGED_LABEL]: "true" } },
    spec: { controller: identity.controllerClass },
  };
}
