/**
 * Who is who in the mesh: the service accounts whose mTLS identities the Linkerd objects authenticate.
 * Linkerd issues each meshed pod the identity of its service account
 * (`<sa>.<namespace>.serviceaccount.identity.<control-plane namespace>.<trust domain>`,
 * https://linkerd.io/2/features/automatic-mtls), so the objects name service accounts through `identityRefs`
 * and never spell out the trust domain.
 */
import type { IdentityRef } from "../../core/linkerd";
import type { Area } from "../areas";
import type { SegmentationConfig } from "../config";
import { controllerIdentity } from "../controllers";
import { TRAEFIK_CHART } from "../ingress";

/**
 * The service account of an area's controller pods. The Traefik chart names it `traefik.fullname` (the
 * release name plus "-traefik") unless `serviceAccount.name` is set, which the stack never does.
 */
export function controllerServiceAccount(area: Area): { namespace: string; name: string } {
  const identity = controllerIdentity(area);
  return { namespace: identity.namespace, name: `${identity.releaseName}-${TRAEFIK_CHART.chart}` };
}

export function monitoringServiceAccount(config: SegmentationConfig): { namespace: string; name: string } {
  return { namespace: config.tools.monitoring.namespace, name: config.mesh.monitoringServiceAccount };
}

export function vaultServiceAccount(config: SegmentationConfig): { namespace: string; name: string } {
  return { namespace: config.tools.vault.namespace, name: config.mesh.vaultServiceAccount };
}

/** Every service account of a namespace: what `pods of namespace X` means to the mesh. */
export function namespaceIdentity(namespace: string): IdentityRef {
  return { kind: "ServiceAccount", namespace };
}

export function serviceAccountIdentity(account: { namespace: string; name: string }): IdentityRef {
  return { kind: "ServiceAccount", name: account.name, namespace: account.namespace };
}
