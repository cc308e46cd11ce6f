/**
 * The Kubernetes objects a run declared, as manifests: what `kubectl apply` would receive. The Pulumi
 * Kubernetes SDK puts `apiVersion` and `kind` in every object's inputs; remote components such as Helm
 * charts are not objects and are left out here.
 */

import type { PlannedObjects } from "../analysis/estate";
import type { Namespace, NetworkPolicy } from "../core/k8s";
import { isLinkerdObject, type LinkerdObject } from "../core/linkerd";
import { type ClusterTierManifest, isClusterTierObject } from "../evaluator";
import type { RecordedResource } from "./offline";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** Every Kubernetes object among the recorded resources, in URN order. */
export function manifestsOf(resources: readonly RecordedResource[]): Manifest[] {
  return resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:") && typeof r.inputs.kind === "string")
    .map((r) => r.inputs as unknown as Manifest);
}

/**
 * The namespaces, NetworkPolicies and cluster-tier policies (ClusterNetworkPolicy of either API,
 * AdminNetworkPolicy, BaselineAdminNetworkPolicy) among the manifests: what reachability depends on.
 */
export function plannedObjects(manifests: readonly Manifest[]): PlannedObjects {
  return {
    namespaces: manifests.filter((m) => m.apiVersion === "v1" && m.kind === "Namespace") as Namespace[],
    policies: manifests.filter(
      (m) => m.apiVersion === "networking.k8s.io/v1" && m.kind === "NetworkPolicy",
    ) as NetworkPolicy[],
    linkerd: manifests.filter((m) => isLinkerdObject(m)) as unknown as LinkerdObject[],
    clusterPolicies: manifests.filter(isClusterTierObject) as unknown as ClusterTierManifest[],
  };
}
