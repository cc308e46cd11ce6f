/**
 * The whole stack: read the config, plan it with the model, declare the components, return the outputs.
 * `index.ts` runs it for `pulumi up`; `netseg plan` and the tests run it under mocks.
 */
import { IngressController } from "./components/ingressController";
import { PublicWaf } from "./components/publicWaf";
import { loadConfig } from "./config";
import { planIngressControllers } from "./model/ingress";
import { planPublicWafs } from "./model/ingressWaf";

export function segmentation() {
  const config = loadConfig();

  const ingress = planIngressControllers(config);
  const controllers = new Map(
    ingress.map((plan) => [
      plan.area,
      new IngressController(plan.resourceName, { namespace: plan.identity.namespace, plan }),
    ]),
  );
  const wafs = planPublicWafs(config).map((plan) => {
    const controller = controllers.get(plan.area);
    return {
      area: plan.area,
      waf: new PublicWaf(plan.resourceName, {
        namespace: plan.albIngress.metadata.namespace,
        plan,
        dependsOn: controller ? [controller] : [],
      }),
    };
  });

  return {
    phase: config.phase,
    namespaceCount: config.namespaces.length,
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
  };
}
