/**
 * The whole stack: read the config, plan it with the model, declare the components, return the outputs.
 * `index.ts` runs it for `pulumi up`; `netseg plan` and the tests run it under mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { AwsSide } from "./components/awsSide";
import { ClusterPolicies } from "./components/clusterPolicies";
import { IngressController } from "./components/ingressController";
import { LabelIntegrity } from "./components/labelIntegrity";
import { ManagedNamespace } from "./components/managedNamespace";
import { MeshPolicies } from "./components/meshPolicies";
import { PodSecurityGroups } from "./components/podSecurityGroups";
import { PublicWaf } from "./components/publicWaf";
import { loadConfig } from "./config";
import { ProblemError } from "./core/problems";
import { AREAS } from "./model/areas";
import { planAwsSide } from "./model/aws";
import { planClusterPolicies } from "./model/clusterPolicies";
import { planIngressControllers } from "./model/ingress";
import { planPublicWafs } from "./model/ingressWaf";
import { planKubernetes } from "./model/kubernetes";
import { planLabelIntegrity } from "./model/labelIntegrity";
import { planMesh } from "./model/mesh/plan";
import { planSecurityGroupPolicies } from "./model/storeAccess";

/**
 * Namespaces declared before the program lets their registrations finish: about 60 resources. Declared in
 * one synchronous burst, every resource's pending registration (its serialized inputs, its promises) is
 * alive at once, and 10,000 namespaces then outgrow Node's default heap. Small batches let each
 * registration's garbage die young, before the collector moves it to the old generation: at 5,000
 * namespaces, batches of 10 peaked at 0.82 to 0.85 GB and took 36 to 45 s of CPU, batches of 125 (about
 * 1,000 resources) 1.02 to 1.09 GB and 50 to 57 s.
 */
const NAMESPACES_PER_BATCH = 10;

export interface ProgramHooks {
  /** Called after each batch of namespaces is declared, with how many of how many. */
  declared?(namespaces: number, total: number): void;
}

/**
 * What `pulumi up` runs: the stack, with a problem the user can fix (a `ProblemError`, such as a config
 * error) turned into a `RunError`, which Pulumi prints as its message alone, without the program's source
 * and stack trace (https://www.pulumi.com/docs/reference/pkg/nodejs/pulumi/pulumi/classes/RunError.html).
 * Anything else is a bug and keeps its trace.
 */
export async function pulumiProgram(): ReturnType<typeof segmentation> {
  try {
    return await segmentation();
  } catch (error) {
    if (error instanceof ProblemError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

export async function segmentation(hooks: ProgramHooks = {}) {
  const config = loadConfig();

  const aws = new AwsSide("aws", { plan: planAwsSide(config) });

  // The cluster tier's bounds come before any namespace policy: in that mode the namespace policies leave
  // the boundaries to it.
  const clusterPolicies = planClusterPolicies(config);
  const bounds =
    clusterPolicies.length > 0
      ? new ClusterPolicies("cluster-policies", { policies: clusterPolicies, dependsOn: aws.vpcCni })
      : undefined;
  const policiesAfter = [...aws.vpcCni, ...(bounds ? [bounds] : [])];

  const kubernetes = planKubernetes(config);
  const ingress = planIngressControllers(config);
  const wafPlans = planPublicWafs(config);
  // The mesh's objects live in managed namespaces (and the control plane's, which Linkerd's install made).
  const meshObjects = planMesh(config);
  const securityGroupPolicies = planSecurityGroupPolicies(config);
  const needed = namespacesWaitedFor(ingress, wafPlans, meshObjects, securityGroupPolicies);
  const namespaces = await declareNamespaces(kubernetes, needed, policiesAfter, hooks);
  const namespaceOf = (name: string) => {
    const namespace = namespaces.get(name);
    if (!namespace) throw new Error(`bug: namespace ${name} is not planned`);
    return namespace;
  };

  const wafs = declareIngress(ingress, wafPlans, namespaceOf, policiesAfter);
  const mesh =
    meshObjects.length > 0
      ? new MeshPolicies("mesh", {
          objects: meshObjects,
          dependsOn: [...new Set(meshObjects.map((o) => o.namespace))].flatMap((name) => {
            const namespace = namespaces.get(name);
            return namespace ? [namespace] : [];
          }),
        })
      : undefined;

  const podGroups = declarePodGroups(securityGroupPolicies, aws, namespaceOf);

  const labelIntegrity = planLabelIntegrity(config);
  const guard = new LabelIntegrity("label-integrity", { plan: labelIntegrity });

  return outputsOf({
    config,
    kubernetes,
    ingress,
    bounds,
    wafs,
    aws,
    podGroups,
    mesh,
    labelIntegrity,
    guard,
  });
}

/**
 * The namespaces later resources wait for. Only their components are kept: the rest, with their policies,
 * can be collected once registered, instead of holding some 60,000 resource objects until the run ends.
 */
function namespacesWaitedFor(
  ingress: ReturnType<typeof planIngressControllers>,
  wafPlans: ReturnType<typeof planPublicWafs>,
  meshObjects: ReturnType<typeof planMesh>,
  securityGroupPolicies: ReturnType<typeof planSecurityGroupPolicies>,
): Set<string> {
  return new Set([
    ...ingress.map((plan) => plan.identity.namespace),
    ...wafPlans.map((plan) => plan.albIngress.metadata.namespace),
    ...meshObjects.map((o) => o.namespace),
    ...securityGroupPolicies.map((policy) => policy.namespace),
  ]);
}

/** Store clients' pods get their security groups once their namespace and the pod-ENI add-on are in. */
function declarePodGroups(
  securityGroupPolicies: ReturnType<typeof planSecurityGroupPolicies>,
  aws: AwsSide,
  namespaceOf: (name: string) => ManagedNamespace,
): PodSecurityGroups {
  return new PodSecurityGroups("pod-security-groups", {
    policies: securityGroupPolicies,
    clientGroupIds: aws.clientGroupIds,
    dependsOn: [
      ...[...new Set(securityGroupPolicies.map((policy) => policy.namespace))].map(namespaceOf),
      ...aws.vpcCni,
    ],
  });
}

/**
 * Each area's ingress controller in its namespace, once that namespace's policies are enforced, and the
 * public controller's WAF after it; returns the WAFs by area.
 */
function declareIngress(
  ingress: ReturnType<typeof planIngressControllers>,
  wafPlans: ReturnType<typeof planPublicWafs>,
  namespaceOf: (name: string) => ManagedNamespace,
  policiesAfter: pulumi.Resource[],
): { area: string; waf: PublicWaf }[] {
  const controllers = new Map(
    ingress.map((plan) => {
      const namespace = namespaceOf(plan.identity.namespace);
      return [
        plan.area,
        new IngressController(plan.resourceName, {
          namespace: namespace.namespaceName,
          plan,
          dependsOn: [namespace, ...policiesAfter],
        }),
      ];
    }),
  );
  return wafPlans.map((plan) => {
    const controller = controllers.get(plan.area);
    return {
      area: plan.area,
      waf: new PublicWaf(plan.resourceName, {
        namespace: namespaceOf(plan.albIngress.metadata.namespace).namespaceName,
        plan,
        dependsOn: controller ? [controller] : [],
      }),
    };
  });
}

/**
 * Declares every namespace with its policies, in batches that let registrations finish in between, and
 * keeps the components of the namespaces in `needed` (the ones later resources wait for).
 */
async function declareNamespaces(
  kubernetes: ReturnType<typeof planKubernetes>,
  needed: ReadonlySet<string>,
  policiesAfter: pulumi.Resource[],
  hooks: ProgramHooks,
): Promise<Map<string, ManagedNamespace>> {
  const namespaces = new Map<string, ManagedNamespace>();
  let declared = 0;
  for (let start = 0; start < kubernetes.length; start += NAMESPACES_PER_BATCH) {
    for (const { namespace, policies } of kubernetes.slice(start, start + NAMESPACES_PER_BATCH)) {
      // Policies wait for enforcement to be switched on, so none lands on a data plane that ignores it.
      const managed = new ManagedNamespace(namespace.resourceName, {
        namespace,
        policies,
        policiesAfter,
      });
      if (needed.has(namespace.name)) namespaces.set(namespace.name, managed);
      declared++;
    }
    // Registrations under way complete in the microtasks that run before the next macrotask.
    await new Promise((resolve) => setImmediate(resolve));
    hooks.declared?.(declared, kubernetes.length);
  }
  return namespaces;
}

/** The stack's outputs: what was declared, by area and component, for `pulumi stack output` and the tests. */
function outputsOf({
  config,
  kubernetes,
  ingress,
  bounds,
  wafs,
  aws,
  podGroups,
  mesh,
  labelIntegrity,
  guard,
}: {
  config: ReturnType<typeof loadConfig>;
  kubernetes: ReturnType<typeof planKubernetes>;
  ingress: ReturnType<typeof planIngressControllers>;
  bounds: ClusterPolicies | undefined;
  wafs: { area: string; waf: PublicWaf }[];
  aws: AwsSide;
  podGroups: PodSecurityGroups;
  mesh: MeshPolicies | undefined;
  labelIntegrity: ReturnType<typeof planLabelIntegrity>;
  guard: LabelIntegrity;
}) {
  return {
    phase: config.phase,
    policyMode: config.policyMode,
    clusterPolicies: bounds?.policyNames ?? [],
    namespacesByArea: Object.fromEntries(
      AREAS.map((area) => [
        area,
        kubernetes.filter((ns) => ns.namespace.area === area).map((ns) => ns.namespace.name),
      ]),
    ),
    strictNamespaces: config.namespaces.filter((ns) => ns.phase === "strict").map((ns) => ns.name),
    defaultPolicyCount: kubernetes.reduce((count, ns) => count + ns.policies.length, 0),
    ingressControllers: Object.fromEntries(
      ingress.map((plan) => [
        plan.area,
        {
          ingressClass: plan.identity.ingressClass,
          namespace: plan.identity.namespace,
          releaseName: plan.identity.releaseName,
          chart: `${plan.chart.chart}@${plan.chart.version}`,
          loadBalancer: plan.loadBalancer.kind,
          sourceRanges: plan.loadBalancer.sourceRanges,
        },
      ]),
    ),
    publicWebAclArns: Object.fromEntries(wafs.map(({ area, waf }) => [area, waf.webAclArn])),
    peeringConnectionIds: aws.peeringConnectionIds,
    natPrefixListIds: aws.natPrefixListIds,
    natAllowlistRuleCounts: aws.inboundRuleCounts,
    networkPolicyEnforcement: aws.networkPolicyEnforcement,
    storeClientSecurityGroupPolicies: podGroups.policyNames,
    mesh: {
      namespaces: config.mesh.namespaces,
      objects: mesh?.objectNames.length ?? 0,
    },
    labelIntegrity: {
      enforcement: labelIntegrity.enforcement,
      validationActions: guard.validationActions,
      policies: guard.policyNames,
      exemptUsers: labelIntegrity.platformUsers,
      exemptGroups: labelIntegrity.platformGroups,
    },
  };
}
