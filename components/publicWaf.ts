import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type PublicWafPlan, WAF_ACL_ANNOTATION } from "../model/ingressWaf";

export interface PublicWafArgs {
  /** The public controller's namespace, where the ALB's Ingress lives. */
  namespace: pulumi.Input<string>;
  /** The planned WAF and ALB, from `planPublicWaf()`. */
  plan: PublicWafPlan;
  /** Resources the ALB's Ingress waits for, such as the namespace and the controller. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The WAFv2 web ACL in front of a public controller and the ALB that carries it. */
export class PublicWaf extends pulumi.ComponentResource {
  public readonly webAclArn: pulumi.Output<string>;
  /** `namespace/name` of the Ingress the Load Balancer Controller builds the ALB from. */
  public readonly albIngressName: pulumi.Output<string>;

  constructor(name: string, args: PublicWafArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:ingress:PublicWaf", name, {}, opts);
    const { plan } = args;
    const { webAcl } = plan;

    const acl = new aws.wafv2.WebAcl(`${name}-web-acl`, webAclArgs(webAcl), { parent: this });
    const classParams = new k8s.apiextensions.CustomResource(
      `${name}-alb-class-params`,
      {
        apiVersion: plan.albClassParams.apiVersion,
        kind: plan.albClassParams.kind,
        metadata: plan.albClassParams.metadata,
        spec: plan.albClassParams.spec,
      },
      { parent: this },
    );
    const albClass = new k8s.networking.v1.IngressClass(
      `${name}-alb-class`,
      { metadata: plan.albClass.metadata, spec: plan.albClass.spec },
      { parent: this, dependsOn: [classParams] },
    );
    const ingress = new k8s.networking.v1.Ingress(
      `${name}-alb`,
      {
        metadata: {
          ...plan.albIngress.metadata,
          namespace: args.namespace,
          annotations: { ...plan.albIngress.metadata.annotations, [WAF_ACL_ANNOTATION]: acl.arn },
        },
        spec: plan.albIngress.spec,
      },
      { parent: this, dependsOn: [...(args.dependsOn ?? []), albClass] },
    );

    this.webAclArn = acl.arn;
    this.albIngressName = pulumi.interpolate`${ingress.metadata.namespace}/${ingress.metadata.name}`;
    this.registerOutputs({ webAclArn: this.webAclArn, albIngressName: this.albIngressName });
  }
}

/**
 * The web ACL: it allows by default, and each AWS managed rule group keeps its own actions (no override),
 * with metrics and sampled requests for the ACL and every rule.
 */
function webAclArgs(webAcl: PublicWafPlan["webAcl"]): aws.wafv2.WebAclArgs {
  return {
    name: webAcl.name,
    description: webAcl.description,
    scope: webAcl.scope,
    defaultAction: { allow: {} },
    visibilityConfig: {
      cloudwatchMetricsEnabled: true,
      metricName: webAcl.metricName,
      sampledRequestsEnabled: true,
    },
    rules: webAcl.rules.map((rule) => ({
      name: rule.name,
      priority: rule.priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: { name: rule.ruleGroup, vendorName: rule.vendorName },
      },
      visibilityConfig: {
        cloudwatchMetricsEnabled: true,
        metricName: rule.metricName,
        sampledRequestsEnabled: true,
      },
    })),
  };
}
