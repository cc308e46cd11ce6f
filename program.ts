/**
 * The whole stack: read the config, plan it with the model, declare the components, return the outputs.
 * `index.ts` runs it for `pulumi up`; `netseg plan` and the tests run it under mocks.
 */
import { LabelIntegrity } from "./components/labelIntegrity";
import { ManagedNamespace } from "./components/managedNamespace";
import { loadConfig } from "./config";
import { AREAS } from "./model/areas";
import { planKubernetes } from "./model/kubernetes";
import { planLabelIntegrity } from "./model/labelIntegrity";

export function segmentation() {
  const config = loadConfig();

  const kubernetes = planKubernetes(config);
  for (const { namespace, policies } of kubernetes) {
    new ManagedNamespace(namespace.resourceName, { namespace, policies });
  }

  const labelIntegrity = planLabelIntegrity(config);
  const guard = new LabelIntegrity("label-integrity", { plan: labelIntegrity });

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
    labelIntegrity: {
      enforcement: labelIntegrity.enforcement,
      validationActions: guard.validationActions,
      policies: guard.policyNames,
      exemptUsers: labelIntegrity.platformUsers,
      exemptGroups: labelIntegrity.platformGroups,
    },
  };
}
