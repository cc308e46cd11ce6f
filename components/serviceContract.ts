import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  type Contract,
  type ContractMeshOptions,
  planContract,
  renderContractMesh,
  toContractNetworkPolicy,
} from "../model/contracts";
import { networkPolicyResource } from "./networkPolicy";

export interface ServiceContractArgs {
  /** The contract, from `contract()` in model/contracts or a parsed contract file. */
  contract: Contract;
  /**
   * Also declare the contract's Linkerd authorization, for a meshed namespace (`renderContractMesh`).
   * @default undefined (NetworkPolicies only)
   */
  mesh?: ContractMeshOptions;
}

/**
 * A service's contract, declared from its own stack: the NetworkPolicies `planContract` renders, in the
 * service's namespace. A contract lint finds errors in is refused before anything is declared.
 */
export class ServiceContract extends pulumi.ComponentResource {
  /** `namespace/name` of every policy of the contract. */
  public readonly policyNames: string[];

  constructor(name: string, args: ServiceContractArgs, opts?: pulumi.ComponentResourceOptions) {
    super("segmentation:contracts:ServiceContract", name, {}, opts);
    const policies = planContract(args.contract);
    for (const policy of policies) {
      networkPolicyResource(policy.resourceName, toContractNetworkPolicy(policy), { parent: this });
    }
    // The same ingress rules by mTLS identity, for the receiving proxies of a meshed namespace.
    for (const { resourceName, object } of args.mesh ? renderContractMesh(args.contract, args.mesh) : []) {
      const { apiVersion, kind, metadata, spec } = object;
      new k8s.apiextensions.CustomResource(
        resourceName,
        { apiVersion, kind, metadata, spec },
        { parent: this },
      );
    }
    this.policyNames = policies.map((policy) => `${policy.namespace}/${policy.name}`);
    this.registerOutputs({ policyNames: this.policyNames });
  }
}
