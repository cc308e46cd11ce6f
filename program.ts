/**
 * The whole stack: read the config, plan it with the model, declare the components, return the outputs.
 * `index.ts` runs it for `pulumi up`; `netseg plan` and the tests run it under mocks.
 */
import { AwsSide } from "./components/awsSide";
import { loadConfig } from "./config";
import { planAwsSide } from "./model/aws";

export function segmentation() {
  const config = loadConfig();
  const aws = new AwsSide("aws", { plan: planAwsSide(config) });
  return {
    phase: config.phase,
    namespaceCount: config.namespaces.length,
    peeringConnectionIds: aws.peeringConnectionIds,
    natPrefixListIds: aws.natPrefixListIds,
    natAllowlistRuleCounts: aws.inboundRuleCounts,
    networkPolicyEnforcement: aws.networkPolicyEnforcement,
  };
}
