import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { NamespaceSpec } from "../model/namespaces";
import type { PolicySpec } from "../model/policy";
import { declarePolicies } from "./networkPolicies";

export interface ManagedNamespaceArgs {
  /** The planned namespace, from `planNamespaces()`. */
  namespace: NamespaceSpec;
  /** The namespace's default policies, from `planKubernetes()`. */
  policies: readonly PolicySpec[];
  /** Resources the policies wait for besides the namespace, such as the add-on that enforces them. */
  policiesAfter?: pulumi.Input<pulumi.Resource>[];
}

/** A namespace the platform owns, with its default NetworkPolicies. */
export class ManagedNamespace extends pulumi.ComponentResource {
  public readonly namespaceName: pulumi.Output<string>;

  constructor(name: string, args: ManagedNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:kubernetes:ManagedNamespace", name, {}, opts);
    // Deleting a namespace deletes every workload in it: the stack may relabel a namespace but never
    // delete it, and dropping it from config leaves it in the cluster.
    const namespace = new k8s.core.v1.Namespace(
      args.namespace.resourceName,
      {
        metadata: {
          name: args.namespace.name,
          labels: { ...args.namespace.labels },
          // Absent rather than empty, so a stack without the mesh declares its namespaces as before.
          ...(Object.keys(args.namespace.annotations).length > 0
            ? { annotations: { ...args.namespace.annotations } }
            : {}),
        },
      },
      { parent: this, protect: args.namespace.protect, retainOnDelete: true },
    );
    declarePolicies(args.policies, this, [namespace, ...(args.policiesAfter ?? [])]);
    this.namespaceName = namespace.metadata.name;
    this.registerOutputs({ namespaceName: this.namespaceName });
  }
}
