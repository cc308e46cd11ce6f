/**
 * The WAF in front of a public ingress controller: a WAFv2 web ACL of AWS managed rule groups, carried by an
 * ALB that the AWS Load Balancer Controller builds from one `Ingress` in the controller's namespace and that
 * forwards everything to the controller's Service.
 *
 * The web ACL reaches the ALB through the Ingress's `wafv2-acl-arn` annotation, not through a Pulumi
 * `WebAclAssociation`: the ALB belongs to the Load Balancer Controller, which would undo an association it
 * did not make. The ALB's IngressClass is the stack's own, and its parameters admit Ingresses from the
 * controller's namespace only, so no other namespace can put an Ingress on this ALB and change its WAF.
 * An NLB cannot carry a WAF, which is why the public controller alone sits behind an ALB.
 */

import { MANAGED_LABEL, NAMESPACE_NAME_LABEL } from "../core/labels";
import type { Area } from "./areas";
import type { SegmentationConfig } from "./config";
import {
  ANYWHERE,
  ENTRY_POINTS,
  type IngressClassObject,
  type IngressControllerPlan,
  planIngressControllers,
} from "./ingress";
import { controllerConfig } from "./ingressPolicies";

/** The Ingress annotation by which the Load Balancer Controller associates a web ACL with the ALB. */
export const WAF_ACL_ANNOTATION = "alb.ingress.kubernetes.io/wafv2-acl-arn";

/** The Load Balancer Controller's controller value for ALB IngressClasses. */
export const ALB_CONTROLLER = "ingress.k8s.aws/alb";

/** TLS 1.3 and 1.2 only, on the ALB's HTTPS listener. */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

export interface WafRuleSpec {
  name: string;
  /** Lower runs first; assigned in the order of the sorted rule group names, so it never flips. */
  priority: number;
  vendorName: "AWS";
  ruleGroup: string;
  metricName: string;
}

export interface WebAclSpec {
  name: string;
  description: string;
  /** Regional, as ALBs require (CLOUDFRONT is for distributions). */
  scope: "REGIONAL";
  metricName: string;
  rules: WafRuleSpec[];
}

export interface IngressClassParamsObject {
  apiVersion: "elbv2.k8s.aws/v1beta1";
  kind: "IngressClassParams";
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    namespaceSelector: { matchLabels: Record<string, string> };
    scheme: "internet-facing";
  };
}

export interface AlbIngressObject {
  apiVersion: "networking.k8s.io/v1";
  kind: "Ingress";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    /** Everything but the web ACL's ARN, which exists only once the ACL does. */
    annotations: Record<string, string>;
  };
  spec: {
    ingressClassName: string;
    defaultBackend: { service: { name: string; port: { name: string } } };
  };
}

export interface PublicWafPlan {
  area: Area;
  /** Pulumi logical name of the component. */
  resourceName: string;
  webAcl: WebAclSpec;
  albClassParams: IngressClassParamsObject;
  albClass: IngressClassObject;
  albIngress: AlbIngressObject;
}

/** One plan per public controller (the area rules name one: publicfrontal). */
export function planPublicWafs(config: SegmentationConfig): PublicWafPlan[] {
  return planIngressControllers(config)
    .filter((controller) => controller.loadBalancer.kind === "alb")
    .map((controller) => planPublicWaf(config, controller));
}

export function planPublicWaf(config: SegmentationConfig, controller: IngressControllerPlan): PublicWafPlan {
  const { identity } = controller;
  const { wafManagedRuleGroups, certificateArns } = controllerConfig(config, controller.area);
  const aclName = `${config.cluster.name}-${identity.namespace}`;
  const albClassName = `netseg-${controller.area}-alb`;
  const labels = { [MANAGED_LABEL]: "true" };
  return {
    area: controller.area,
    resourceName: `${identity.releaseName}-waf`,
    webAcl: {
      name: aclName,
      description: `WAF of the ${controller.area} ingress controller's ALB in cluster ${config.cluster.name}.`,
      scope: "REGIONAL",
      metricName: aclName,
      rules: wafManagedRuleGroups.map((ruleGroup, index) => ({
        name: ruleGroup,
        priority: index,
        vendorName: "AWS",
        ruleGroup,
        metricName: `${aclName}-${ruleGroup}`,
      })),
    },
    albClassParams: {
      apiVersion: "elbv2.k8s.aws/v1beta1",
      kind: "IngressClassParams",
      metadata: { name: albClassName, labels },
      spec: {
        namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: identity.namespace } },
        scheme: "internet-facing",
      },
    },
    albClass: {
      apiVersion: "networking.k8s.io/v1",
      kind: "IngressClass",
      metadata: { name: albClassName, labels },
      spec: {
        controller: ALB_CONTROLLER,
        parameters: { apiGroup: "elbv2.k8s.aws", kind: "IngressClassParams", name: albClassName },
      },
    },
    albIngress: albIngressOf(controller, albClassName, certificateArns, labels),
  };
}

/**
 * The Ingress that makes the AWS Load Balancer Controller put an internet-facing ALB in front of the public
 * controller's TLS entry point, with the stack's certificates and TLS policy.
 */
function albIngressOf(
  controller: IngressControllerPlan,
  albClassName: string,
  certificateArns: readonly string[],
  labels: Record<string, string>,
): AlbIngressObject {
  const { identity } = controller;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: `${identity.releaseName}-alb`,
      namespace: identity.namespace,
      labels,
      annotations: {
        // IP targets: the ALB sends to the controller pods directly, so no node port is ever open.
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/inbound-cidrs": ANYWHERE,
        "alb.ingress.kubernetes.io/listen-ports": JSON.stringify([{ HTTP: 80 }, { HTTPS: 443 }]),
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/certificate-arn": certificateArns.join(","),
        "alb.ingress.kubernetes.io/ssl-policy": ALB_SSL_POLICY,
        // The controller's TLS entry point serves every host, like ingress-nginx's port 443; the plain one
        // would redirect Ingresses with TLS back to HTTPS, in a loop behind a TLS-terminating ALB.
        "alb.ingress.kubernetes.io/backend-protocol": "HTTPS",
        "alb.ingress.kubernetes.io/healthcheck-protocol": "HTTP",
        "alb.ingress.kubernetes.io/healthcheck-port": String(identity.ports.health),
        "alb.ingress.kubernetes.io/healthcheck-path": "/ping",
      },
    },
    spec: {
      ingressClassName: albClassName,
      defaultBackend: { service: { name: controller.serviceName, port: { name: ENTRY_POINTS.https } } },
    },
  };
}
