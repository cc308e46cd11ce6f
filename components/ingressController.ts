import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { IngressControllerPlan } from "../model/ingress";
import { NetworkPolicies } from "./networkPolicies";

export interface IngressControllerArgs {
  /** The controller's namespace, `ingress-<area>`; pass the Namespace resource's name once it exists. */
  namespace: pulumi.Input<string>;
  /** The planned controller, from `planIngressController()`: chart, values, IngressClass, policies. */
  plan: IngressControllerPlan;
  /** Resources the controller waits for, such as its namespace. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** An area's ingress controller: its IngressClass, the pinned Traefik release and its own NetworkPolicies. */
export class IngressController extends pulumi.ComponentResource {
  /** The class services put in `spec.ingressClassName`. */
  public readonly ingressClassName: pulumi.Output<string>;
  /** The Helm release name, which never changes. */
  public readonly releaseName: string;
  /** `namespace/name` of the controller's NetworkPolicies. */
  public readonly policyNames: string[];

  constructor(name: string, args: IngressControllerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:ingress:IngressController", name, {}, opts);
    const { plan } = args;
    const dependsOn = args.dependsOn ?? [];

    const ingressClass = new k8s.networking.v1.IngressClass(
      `${name}-class`,
      { metadata: plan.ingressClass.metadata, spec: plan.ingressClass.spec },
      { parent: this },
    );
    // The chart's resources are named after this resource's name, which is the fixed release name: renaming
    // it would replace the controller and its load balancer.
    new k8s.helm.v4.Chart(
      name,
      {
        chart: plan.chart.chart,
        version: plan.chart.version,
        repositoryOpts: { repo: plan.chart.repository },
        name: plan.identity.releaseName,
        namespace: args.namespace,
        values: plan.values as unknown as Record<string, pulumi.Input<unknown>>,
        // The Traefik CRDs serve providers left off, and three releases would each try to own them.
        skipCrds: true,
      },
      { parent: this, dependsOn: [...dependsOn, ingressClass] },
    );
    const policies = new NetworkPolicies(
      `${name}-policies`,
      { policies: plan.policies, dependsOn },
      { parent: this },
    );

    this.ingressClassName = ingressClass.metadata.name;
    this.releaseName = plan.identity.releaseName;
    this.policyNames = policies.policyNames;
    this.registerOutputs({
      ingressClassName: this.ingressClassName,
      releaseName: this.releaseName,
      policyNames: this.policyNames,
    });
  }
}
