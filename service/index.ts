/**
 * What a service's own Pulumi stack installs from this package (`segmentation/service`): the contract
 * vocabulary, the contract file's parser and schema, and the `ServiceContract` component that declares a
 * contract's NetworkPolicies. Compiled to JavaScript with declarations (`npm run build:service`), so a
 * service's program needs neither tsx nor anything of the platform's stack, whose program, config and
 * command line this entry never loads.
 */
export { ServiceContract, type ServiceContractArgs } from "../components/serviceContract";
export * from "../model/contracts";
