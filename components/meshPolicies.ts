import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MeshObjectSpec } from "../model/mesh/plan";

export interface MeshPoliciesArgs {
  /** Planned Linkerd objects, from `planMesh()`; each one's `after` names objects of this same list. */
  objects: readonly MeshObjectSpec[];
  /** Resources every object waits for, such as the namespaces they live in. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The Linkerd authorization objects of the stack. Linkerd itself (CRDs, control plane, trust anchor) is
 * installed outside the stack; these are plain custom resources of its `policy.linkerd.io` group.
 */
export class MeshPolicies extends pulumi.ComponentResource {
  /** `Kind namespace/name` of every declared object. */
  public readonly objectNames: string[];

  constructor(name: string, args: MeshPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:mesh:MeshPolicies", name, {}, opts);
    const byName = new Map(args.objects.map((spec) => [spec.resourceName, spec]));
    const declared = new Map<string, k8s.apiextensions.CustomResource>();
    const declare = (spec: MeshObjectSpec): k8s.apiextensions.CustomResource => {
      const existing = declared.get(spec.resourceName);
      if (existing) return existing;
      const before = spec.after.map((resourceName) => {
        const first = byName.get(resourceName);
        if (!first) throw new Error(`bug: ${spec.resourceName} follows unknown object ${resourceName}`);
        return declare(first);
      });
      const { apiVersion, kind, metadata, spec: body } = spec.object;
      const resource = new k8s.apiextensions.CustomResource(
        spec.resourceName,
        { apiVersion, kind, metadata, spec: body },
        { parent: this, dependsOn: [...(args.dependsOn ?? []), ...before] },
      );
      declared.set(spec.resourceName, resource);
      return resource;
    };
    args.objects.forEach(declare);
    this.objectNames = args.objects
      .map(({ object }) => `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`)
      .sort();
    this.registerOutputs({ objectNames: this.objectNames });
  }
}
