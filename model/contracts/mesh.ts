/**
 * From a contract to Linkerd authorization, for a service whose namespace is meshed: the same ingress rules
 * the NetworkPolicies render, said by mTLS identity. One AuthorizationPolicy per peer of a rule (Linkerd
 * requires every authentication of a policy, so alternatives are separate policies), with its
 * authentication:
 *
 *   area       the platform's shared MeshTLSAuthentication of the area, in the control plane's namespace
 *   namespace  every service account of that namespace
 *   pods       every service account of the contract's own namespace
 *   cidr       a NetworkAuthentication of the block: no identity at all, which `netseg verify` reports in
 *              a strict namespace
 *
 * Identities are per service account, not per pod label, and a policy targets the whole namespace (every
 * Server there, the platform's): the pods and ports a rule names stay the NetworkPolicy's to narrow, so a
 * connection needs both. Egress rules have no mesh counterpart: Linkerd authorizes at the receiving proxy.
 * No rule of the vocabulary names a path, so no HTTPRoute is rendered.
 */
import {
  type AuthenticationRef,
  LINKERD_API_VERSIONS,
  LINKERD_POLICY_GROUP,
  type LinkerdObject,
} from "../../core/linkerd";
import { SHARED_AUTHENTICATION } from "../mesh/plan";
import { DESCRIPTION_ANNOTATION } from "../policy";
import type { Contract, ContractPeer } from "./contract";
import { CONTRACT_LABEL, policyName } from "./render";

export interface ContractMeshObject {
  /** Pulumi logical name: namespace, kind and name. */
  resourceName: string;
  object: LinkerdObject;
}

export interface ContractMeshOptions {
  /** Where the platform keeps the areas' shared authentications. @default "linkerd" */
  controlPlaneNamespace?: string;
}

/** The Linkerd objects of a contract's ingress rules, in rule and peer order. */
export function renderContractMesh(
  contract: Contract,
  options: ContractMeshOptions = {},
): ContractMeshObject[] {
  const home = options.controlPlaneNamespace ?? "linkerd";
  const namespace = contract.namespace;
  const objects: LinkerdObject[] = [];
  const meta = (name: string, description: string) => ({
    name,
    namespace,
    labels: { [CONTRACT_LABEL]: contract.name },
    annotations: { [DESCRIPTION_ANNOTATION]: description },
  });
  for (const rule of contract.ingress) {
    const base = policyName(contract, rule);
    rule.peers.forEach((peer, index) => {
      const name = rule.peers.length === 1 ? base : `${base}-${index}`;
      const why = `${rule.why} (contract ${contract.name}; pods and ports as its NetworkPolicy ${base} narrows them)`;
      const local = (kind: AuthenticationRef["kind"]): AuthenticationRef => ({
        group: LINKERD_POLICY_GROUP,
        kind,
        name,
      });
      let ref: AuthenticationRef;
      if (peer.kind === "area") {
        ref = {
          ...local("MeshTLSAuthentication"),
          name: SHARED_AUTHENTICATION.area(peer.area),
          namespace: home,
        };
      } else if (peer.kind === "cidr") {
        ref = local("NetworkAuthentication");
        objects.push({
          apiVersion: LINKERD_API_VERSIONS.NetworkAuthentication,
          kind: "NetworkAuthentication",
          metadata: meta(name, `${peerText(peer)}: ${peer.reason ?? rule.why}`),
          spec: { networks: [{ cidr: peer.cidr }] },
        });
      } else {
        ref = local("MeshTLSAuthentication");
        objects.push({
          apiVersion: LINKERD_API_VERSIONS.MeshTLSAuthentication,
          kind: "MeshTLSAuthentication",
          metadata: meta(name, `${peerText(peer)}, by their service accounts.`),
          spec: {
            identityRefs: [
              { kind: "ServiceAccount", namespace: peer.kind === "namespace" ? peer.namespace : namespace },
            ],
          },
        });
      }
      objects.push({
        apiVersion: LINKERD_API_VERSIONS.AuthorizationPolicy,
        kind: "AuthorizationPolicy",
        metadata: meta(name, why),
        spec: { targetRef: { kind: "Namespace", name: namespace }, requiredAuthenticationRefs: [ref] },
      });
    });
  }
  return objects.map((object) => ({
    resourceName: `${namespace}-${object.kind.toLowerCase()}-${object.metadata.name}`,
    object,
  }));
}

function peerText(peer: ContractPeer): string {
  switch (peer.kind) {
    case "area":
      return `namespaces of area ${peer.area}`;
    case "namespace":
      return `pods of namespace ${peer.namespace}`;
    case "pods":
      return "pods of the contract's own namespace";
    case "cidr":
      return `addresses in ${peer.cidr}`;
  }
}
