import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { LabelIntegrityPlan } from "../model/labelIntegrity";

export interface LabelIntegrityArgs {
  /** The planned admission policies and bindings, from `planLabelIntegrity()`. */
  plan: LabelIntegrityPlan;
}

/** The admission policies that keep area labels and default NetworkPolicies in the platform's hands. */
export class LabelIntegrity extends pulumi.ComponentResource {
  /** Names of the ValidatingAdmissionPolicies in the cluster. */
  public readonly policyNames: pulumi.Output<string[]>;
  /** The bindings' validation actions: what happens to a refused change. */
  public readonly validationActions: string[];

  constructor(name: string, args: LabelIntegrityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:kubernetes:LabelIntegrity", name, {}, opts);
    const policies = args.plan.policies.map((spec) => {
      const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        spec.policyResourceName,
        {
          metadata: spec.policy.metadata,
          spec: spec.policy.spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec,
        },
        { parent: this },
      );
      // A binding naming a policy that does not exist yet is ignored by the API server: create it after.
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        spec.bindingResourceName,
        {
          metadata: spec.binding.metadata,
          spec: spec.binding
            .spec as k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec,
        },
        { parent: this, dependsOn: [policy] },
      );
      return policy;
    });
    this.policyNames = pulumi.all(policies.map((policy) => policy.metadata.name));
    this.validationActions = [...args.plan.validationActions];
    this.registerOutputs({ policyNames: this.policyNames, validationActions: this.validationActions });
  }
}
