/**
 * The whole stack: read the config, plan it with the model, declare the components, return the outputs.
 * `index.ts` runs it for `pulumi up`; `netseg plan` and the tests run it under mocks.
 */
import { AwsSide } from "./components/awsSide";
import { ManagedNamespace } from "./components/managedNamespace";
import { loadConfig } from "./config";
import { AREAS } from "./model/areas";
import { planAwsSide } from "./model/aws";
import { planKubernetes } from "./model/kubernetes";

export function segmentation() {
  const config = loadConfig();

  const aws = new AwsSide("aws", { plan: planAwsSide(config) });

  const kubernetes = planKubernetes(config);
  for (const { namespace, policies } of kubernetes) {
    // Policies wait for enforcement to be switched on, so none is applied to a data plane that ignores it.
    new ManagedNamespace(namespace.resourceName, {
      namespace,
      policies,
      policiesAfter: aws.vpcCni,
    });
  }

  return {
    phase: config.phase,
    namespacesByArea: Object.fromEntries(
      AREAS.map((area) => [
        area,
        kubernetes.filter((ns) => ns.namespace.area === area).map((ns) => ns.namespace.name),
      ]),
    ),
    strictNamespaces: config.namespaces.filter((ns) => ns.phase === "strict").map((ns) => ns.name),
    defaultPolicyCount: kubernetes.reduce((count, ns) => count + ns.policies.length, 0),
    peeringConnectionIds: aws.peeringConnectionIds,
    natPrefixListIds: aws.natPrefixListIds,
    natAllowlistRuleCounts: aws.inboundRuleCounts,
    networkPolicyEnforcement: aws.networkPolicyEnforcement,
  };
}
