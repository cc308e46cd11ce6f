/**
 * Contracts: the building blocks service teams declare their own allowed traffic with. One plain-data model
 * (`contract.ts`), two front ends (the TypeScript vocabulary and the contract file), one renderer, one
 * linter.
 */
export * from "./contract";
export { contractFileSchema, contractJsonSchema, type ParsedContractFile, parseContractFile } from "./file";
export * from "./lint";
export { type ContractMeshObject, type ContractMeshOptions, renderContractMesh } from "./mesh";
export { planContract } from "./plan";
export { CONTRACT_LABEL, policyName, renderContract, toContractNetworkPolicy } from "./render";
export * from "./vocabulary";
