import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { overlaps } from "../../core/cidr";
import type { LabelSelector, NetworkPolicyPeer, NetworkPolicyPort } from "../../core/k8s";
import { AREA_LABEL, extraIngressLabel, NAMESPACE_NAME_LABEL } from "../../core/labels";
import { AREAS, type Area } from "../../model/areas";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { controllerIdentity } from "../../model/controllers";
import {
  ANYWHERE,
  ingressValues,
  NLB_LOAD_BALANCER_CLASS,
  planIngressController,
  planIngressControllers,
  TRAEFIK_CHART,
} from "../../model/ingress";
import { CONTROLLER_POLICY, planControllerPolicies, planControllerRules } from "../../model/ingressPolicies";
import { ALB_CONTROLLER, planPublicWafs, WAF_ACL_ANNOTATION } from "../../model/ingressWaf";
import { type PolicySpec, toNetworkPolicy } from "../../model/policy";
import { rawConfigOf } from "../../model/stackFile";
import { devConfig, editedConfig, ROOT } from "../support/stack";
import { DEV } from "../support/stackCounts";

type Values = Record<string, any>;

const dev = (): SegmentationConfig => parseConfig(rawConfigOf(devConfig()));
const edited = (edit: (v: Values) => void): SegmentationConfig =>
  parseConfig(rawConfigOf(editedConfig(edit)));

/**
 * The allowlists as issue 6 words them, resolved against the dev stack's sources and VPCs by hand rather
 * than through the model's normalisation.
 */
function issueAllowlist(config: SegmentationConfig, area: "backoffice" | "internalservices"): string[] {
  const sources = area === "backoffice" ? ["offices", "vpnGeneric", "vpnIt", "vpnIt2"] : ["vpnIt2"];
  const natVpcs = ["publicfrontal", "backoffice", "natonly"];
  return [
    ...sources.flatMap((name) => config.sources.find((s) => s.name === name)?.cidrs ?? []),
    ...natVpcs.flatMap((name) => config.vpcs.find((v) => v.name === name)?.natGatewayIps ?? []),
  ]
    .map((cidr) => (cidr.includes("/") ? cidr : `${cidr}/32`))
    .sort();
}

function policyNamed(policies: PolicySpec[], name: string): PolicySpec {
  const found = policies.find((p) => p.name === name);
  assert.ok(found, `no policy ${name}`);
  return found;
}

/** `cidr port/protocol` for every peer and port a rule list opens. */
function openings(
  rules: { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[],
) {
  return rules
    .flatMap((rule) =>
      (rule.from ?? rule.to ?? []).flatMap((peer) =>
        (rule.ports ?? []).map(
          (port) =>
            `${peer.ipBlock?.cidr ?? `areas ${peer.namespaceSelector?.matchExpressions?.[0]?.values?.join("+")}`} ${port.port}/${port.protocol}`,
        ),
      ),
    )
    .sort();
}

describe("the ingress controllers' chart and values", () => {
  it("pins one exact version of the Traefik chart from its official repository for every area", () => {
    const plans = planIngressControllers(dev());
    assert.deepEqual(
      plans.map((p) => p.area),
      [...AREAS],
    );
    for (const plan of plans) {
      assert.equal(plan.chart.chart, "traefik");
      assert.equal(plan.chart.repository, "https://traefik.github.io/charts");
      assert.match(plan.chart.version, /^\d+\.\d+\.\d+$/, "a range would let a plan pick up a new chart");
    }
  });

  it("keeps release name, namespace, class and pod labels whatever the config says", () => {
    const before = planIngressControllers(dev());
    const after = planIngressControllers(
      edited((v) => {
        v.cluster.name = "prod-eks";
        v.ingress.backoffice.sources = ["vpnIt"];
        v.ingress.internalservices.natGatewaysOf = ["natonly"];
      }),
    );
    const stable = (plans: typeof before) =>
      plans.map((p) => ({
        release: p.identity.releaseName,
        namespace: p.identity.namespace,
        service: p.serviceName,
        className: p.ingressClass.metadata.name,
        controller: p.ingressClass.spec.controller,
        podLabels: p.values.deployment.podLabels,
      }));
    assert.deepEqual(stable(after), stable(before));
    assert.deepEqual(
      before.map((p) => p.identity.releaseName),
      ["ingress-publicfrontal", "ingress-backoffice", "ingress-internalservices"],
    );
  });

  it("labels the controller pods with the label the area policies select them by", () => {
    for (const area of AREAS) {
      assert.deepEqual(ingressValues(dev(), area).deployment.podLabels, {
        ...controllerIdentity(area).podLabels,
      });
    }
  });

  it("gives every area a class and a controller value no other area shares", () => {
    const plans = planIngressControllers(dev());
    const names = plans.map((p) => p.ingressClass.metadata.name);
    const controllers = plans.map((p) => p.ingressClass.spec.controller);
    assert.equal(new Set(names).size, AREAS.length);
    assert.equal(new Set(controllers).size, AREAS.length);
    assert.ok(!controllers.includes("traefik.io/ingress-controller"), "Traefik's fixed value is shared");
    for (const plan of plans) {
      const nginx = plan.values.providers.kubernetesIngressNGINX;
      assert.equal(nginx.controllerClass, plan.ingressClass.spec.controller);
      assert.equal(nginx.ingressClass, plan.ingressClass.metadata.name);
      assert.equal(nginx.watchIngressWithoutClass, false);
      assert.equal(nginx.ingressClassByName, false);
    }
  });

  it("makes no class the cluster default, so an Ingress without a class reaches no area", () => {
    const plans = planIngressControllers(dev());
    assert.equal(plans.length, AREAS.length);
    for (const plan of plans) {
      assert.equal(plan.values.ingressClass.enabled, false, "the chart's class would be Traefik's default");
      assert.equal(
        plan.ingressClass.metadata.annotations?.["ingressclass.kubernetes.io/is-default-class"],
        undefined,
      );
    }
  });

  it("serves Ingresses through the nginx-compatible provider only", () => {
    for (const area of AREAS) {
      const { providers } = ingressValues(dev(), area);
      assert.deepEqual(
        Object.entries(providers)
          .filter(([, provider]) => provider.enabled)
          .map(([name]) => name),
        ["kubernetesIngressNGINX"],
      );
    }
  });

  for (const area of ["backoffice", "internalservices"] as const) {
    it(`puts the ${area} controller behind an NLB whose source ranges are exactly the issue's sources`, () => {
      const config = dev();
      const { service } = ingressValues(config, area);
      assert.equal(service.spec.type, "LoadBalancer");
      if (service.spec.type !== "LoadBalancer") return;
      assert.deepEqual([...service.spec.loadBalancerSourceRanges].sort(), issueAllowlist(config, area));
      assert.equal(service.spec.loadBalancerClass, NLB_LOAD_BALANCER_CLASS);
      assert.equal(service.spec.allocateLoadBalancerNodePorts, false);
    });

    it(`makes the ${area} allowlist apply: IP targets, client IPs preserved, groups managed by the LBC`, () => {
      const { annotations } = ingressValues(dev(), area).service;
      assert.equal(annotations["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"], "ip");
      assert.equal(
        annotations["service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"],
        "preserve_client_ip.enabled=true",
      );
      assert.equal(annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"], "internet-facing");
      assert.equal(annotations["service.beta.kubernetes.io/aws-load-balancer-security-groups"], undefined);
    });

    it(`lets the ${area} controller believe no forwarded header, since clients connect directly`, () => {
      const values = ingressValues(dev(), area);
      for (const entryPoint of [values.ports.web, values.ports.websecure]) {
        assert.deepEqual(entryPoint.forwardedHeaders, { trustedIPs: [], insecure: false });
      }
      assert.equal(planIngressController(dev(), area).trustedProxyCidrs.length, 0);
    });
  }

  it("puts an NLB for private sources only on the internal scheme", () => {
    const config = edited((v) => {
      v.sources.vpnIt2 = ["10.99.0.0/24"];
      v.ingress.internalservices = { ...v.ingress.internalservices, sources: ["vpnIt2"], natGatewaysOf: [] };
    });
    const plan = planIngressController(config, "internalservices");
    assert.deepEqual(plan.loadBalancer, { kind: "nlb", scheme: "internal", sourceRanges: ["10.99.0.0/24"] });
    assert.equal(
      plan.values.service.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"],
      "internal",
    );
  });

  it("keeps the public controller's Service inside the cluster, behind the ALB", () => {
    const plan = planIngressController(dev(), "publicfrontal");
    assert.deepEqual(plan.values.service, { annotations: {}, spec: { type: "ClusterIP" } });
    assert.equal(plan.loadBalancer.kind, "alb");
    assert.equal(plan.values.providers.kubernetesIngressNGINX.publishService.enabled, false);
  });

  // Measured path: Traefik trusted X-Forwarded-For from the whole VPC, so any pod could forge a client address.
  it("lets the public controller believe forwarded headers from the ALB's subnets only, not the pods", () => {
    const config = dev();
    const values = ingressValues(config, "publicfrontal");
    const alb = config.ingress.find((c) => c.area === "publicfrontal")!.loadBalancerSubnets;
    assert.equal(alb.length, 3);
    for (const entryPoint of [values.ports.web, values.ports.websecure]) {
      assert.deepEqual(entryPoint.forwardedHeaders, { trustedIPs: alb, insecure: false });
      assert.ok(!overlaps(entryPoint.forwardedHeaders!.trustedIPs, config.cluster.cidrs));
    }
  });

  it("computes the same values whatever the order of sources and VPCs", () => {
    const reordered = edited((v) => {
      v.ingress.backoffice.sources.reverse();
      v.ingress.backoffice.natGatewaysOf.reverse();
      v.sources.offices.reverse();
      v.vpcs = Object.fromEntries(Object.entries(v.vpcs).reverse());
    });
    for (const area of AREAS) assert.deepEqual(ingressValues(reordered, area), ingressValues(dev(), area));
  });

  it("opens on the pods the ports the values give Traefik's entry points", () => {
    for (const area of AREAS) {
      const { ports } = ingressValues(dev(), area);
      const identity = controllerIdentity(area);
      assert.deepEqual(
        [ports.web.port, ports.websecure.port, ports.traefik.port, ports.metrics.port],
        [identity.ports.http, identity.ports.https, identity.ports.health, identity.ports.metrics],
      );
    }
  });
});

describe("the ingress controllers' own NetworkPolicies", () => {
  it("isolates the whole controller namespace, after every allow exists", () => {
    for (const area of AREAS) {
      const policies = planControllerPolicies(dev(), area);
      assert.equal(policies.length, Object.keys(CONTROLLER_POLICY).length);
      const deny = policyNamed(policies, CONTROLLER_POLICY.defaultDeny);
      assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
      assert.deepEqual(
        [...deny.after].sort(),
        policies
          .filter((p) => p !== deny)
          .map((p) => p.resourceName)
          .sort(),
      );
      for (const policy of policies) {
        assert.equal(policy.namespace, `ingress-${area}`);
        assert.ok(policy.description.length > 20, `${policy.name} says why it exists`);
      }
    }
  });

  it("gives the controller pods every ingress rule in one policy and every egress rule in another", () => {
    // A policy isolates its pods in its direction as soon as it exists: one policy per direction means the
    // controller never holds some of its allows without the others, whatever order they are created in.
    for (const identity of [
      controllerIdentity("backoffice"),
      { ...controllerIdentity("backoffice"), webhookPort: 8443 },
    ]) {
      const policies = planControllerPolicies(dev(), "backoffice", identity);
      const rules = planControllerRules(dev(), "backoffice", identity);
      const pods = { matchLabels: { ...identity.podLabels } };
      assert.deepEqual(
        policies.map((p) => p.name).sort(),
        [CONTROLLER_POLICY.egress, CONTROLLER_POLICY.ingress, CONTROLLER_POLICY.defaultDeny].sort(),
      );
      assert.deepEqual(policyNamed(policies, CONTROLLER_POLICY.ingress).spec, {
        podSelector: pods,
        policyTypes: ["Ingress"],
        ingress: [...rules.loadBalancer, ...rules.monitoring, ...rules.webhook],
      });
      assert.deepEqual(policyNamed(policies, CONTROLLER_POLICY.egress).spec, {
        podSelector: pods,
        policyTypes: ["Egress"],
        egress: [...rules.backends, ...rules.dns, ...rules.kubeApi],
      });
      assert.equal(
        /webhook/.test(policyNamed(policies, CONTROLLER_POLICY.ingress).description),
        rules.webhook.length > 0,
      );
    }
  });

  it("lets the allowlist, the NLB's subnets and the calling areas reach the NLB controllers' entry points, and nothing more", () => {
    const config = dev();
    const callers = {
      backoffice: "areas backoffice",
      internalservices: "areas internalservices+publicfrontal",
    };
    for (const area of ["backoffice", "internalservices"] as const) {
      const rules = planControllerRules(config, area).loadBalancer;
      const nlb = config.ingress.find((c) => c.area === area)!.loadBalancerSubnets;
      const expected = [...issueAllowlist(config, area), ...nlb, callers[area]]
        .flatMap((cidr) => [`${cidr} 8000/TCP`, `${cidr} 8443/TCP`])
        .sort();
      assert.deepEqual(openings(rules ?? []), expected);
    }
  });

  it("lets only the ALB's subnets reach the public controller: the TLS entry point and the health port", () => {
    const config = dev();
    const vpc = config.ingress.find((c) => c.area === "publicfrontal")!.loadBalancerSubnets;
    const rules = planControllerRules(config, "publicfrontal").loadBalancer;
    assert.deepEqual(
      openings(rules ?? []),
      vpc.flatMap((cidr) => [`${cidr} 8080/TCP`, `${cidr} 8443/TCP`]),
    );
  });

  it("never opens a controller to the whole internet", () => {
    for (const area of AREAS) {
      const policies = planControllerPolicies(dev(), area);
      assert.equal(policies.length, Object.keys(CONTROLLER_POLICY).length);
      for (const policy of policies) {
        const peers = [
          ...(policy.spec.ingress ?? []).flatMap((r) => r.from ?? []),
          ...(policy.spec.egress ?? []).flatMap((r) => r.to ?? []),
        ];
        assert.ok(
          peers.every((peer) => peer.ipBlock?.cidr !== ANYWHERE),
          `${area}/${policy.name}`,
        );
      }
    }
  });

  it("renders no webhook rule for Traefik, which serves none", () => {
    for (const area of AREAS) {
      assert.deepEqual(planControllerRules(dev(), area).webhook, []);
    }
  });

  it("lets the control plane call a controller's webhook when it serves one", () => {
    const config = dev();
    const identity = { ...controllerIdentity("backoffice"), webhookPort: 8443 };
    const webhook = planControllerRules(config, "backoffice", identity).webhook;
    assert.deepEqual(
      openings(webhook),
      config.cluster.controlPlaneCidrs.map((cidr) => `${cidr} 8443/TCP`),
    );
  });

  it("lets the controllers reach the API server on 443 in the control-plane CIDRs", () => {
    const config = dev();
    for (const area of AREAS) {
      const api = planControllerRules(config, area).kubeApi;
      assert.deepEqual(
        openings(api),
        config.cluster.controlPlaneCidrs.map((cidr) => `${cidr} 443/TCP`),
      );
    }
  });

  it("lets the controllers resolve names through cluster DNS named as a peer, never a ports-only rule", () => {
    const config = edited((v) => (v.egress.nodeLocalDns = "169.254.20.10"));
    const rules = planControllerRules(config, "backoffice").dns;
    assert.ok(rules.every((rule) => (rule.to ?? []).length > 0));
    assert.deepEqual(rules[0]?.to?.[0], {
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    });
    for (const rule of rules) {
      assert.deepEqual(rule.ports, [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ]);
    }
    assert.deepEqual(
      openings(rules).filter((o) => o.startsWith("169.")),
      ["169.254.20.10/32 53/TCP", "169.254.20.10/32 53/UDP"],
    );
  });

  it("lets monitoring scrape the controllers' metrics port only", () => {
    const config = dev();
    for (const area of AREAS) {
      const rules = planControllerRules(config, area).monitoring;
      assert.deepEqual(rules, [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: "monitoring" } },
              podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
            },
          ],
          ports: [{ protocol: "TCP", port: 9100 }],
        },
      ]);
    }
  });

  it("keeps the same policies however many namespaces the estate has", () => {
    const bigger = edited((v) => {
      for (let i = 0; i < 100; i++) v.namespaces[`svc-${i}`] = { area: AREAS[i % AREAS.length] };
    });
    for (const area of AREAS) {
      assert.deepEqual(planControllerPolicies(bigger, area), planControllerPolicies(dev(), area));
    }
  });
});

/**
 * Which namespaces each controller may send to, by the labels the namespaces plan sets (`networkArea`, the
 * extra-controller label with value "true", and the API server's name label). The matcher reads only the
 * selector forms the controller policies use; the full evaluator checks both sides once it lands.
 */
describe("where the controllers' egress reaches", () => {
  const matches = (selector: LabelSelector | undefined, labels: Record<string, string>): boolean =>
    Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value) &&
    (selector?.matchExpressions ?? []).every((e) =>
      e.operator === "Exists"
        ? e.key in labels
        : e.operator === "In" && e.values?.includes(labels[e.key] ?? ""),
    );

  /** Whether the controller's backends policy lets it open a connection to `port` in a namespace. */
  function reaches(config: SegmentationConfig, area: Area, labels: Record<string, string>, port: number) {
    return planControllerRules(config, area).backends.some(
      (rule) =>
        (rule.to ?? []).some((peer) => peer.namespaceSelector && matches(peer.namespaceSelector, labels)) &&
        (!rule.ports || rule.ports.some((p) => p.port === port)),
    );
  }

  const namespaceLabels = (config: SegmentationConfig, name: string): Record<string, string> => {
    const ns = config.namespaces.find((n) => n.name === name);
    return {
      [NAMESPACE_NAME_LABEL]: name,
      ...(ns ? { [AREA_LABEL]: ns.area } : {}),
      ...Object.fromEntries((ns?.extraIngressControllers ?? []).map((a) => [extraIngressLabel(a), "true"])),
    };
  };

  /** The design's expectation: a controller reaches its own area, plus namespaces that admit it as an extra. */
  const expected = (config: SegmentationConfig, area: Area, name: string): boolean => {
    const ns = config.namespaces.find((n) => n.name === name);
    return ns !== undefined && (ns.area === area || ns.extraIngressControllers.includes(area));
  };

  it("reaches its own area's namespaces, and the workaround namespaces for internalservices only", () => {
    const config = dev();
    const table = AREAS.flatMap((area) =>
      config.namespaces.map((ns) => ({
        controller: area,
        namespace: ns.name,
        reaches: reaches(config, area, namespaceLabels(config, ns.name), 8080),
        expected: expected(config, area, ns.name),
      })),
    );
    assert.deepEqual(
      table.filter((row) => row.reaches !== row.expected),
      [],
    );
    const workaround = table.filter((row) => row.namespace === "payments" && row.reaches);
    assert.deepEqual(workaround.map((row) => row.controller).sort(), ["backoffice", "internalservices"]);
  });

  it("keeps the public controller away from every backoffice and internalservices namespace", () => {
    const config = dev();
    const others = config.namespaces.filter((ns) => ns.area !== "publicfrontal");
    assert.equal(others.length, DEV.byArea.backoffice + DEV.byArea.internalservices);
    for (const ns of others) {
      assert.equal(reaches(config, "publicfrontal", namespaceLabels(config, ns.name), 8080), false, ns.name);
    }
  });

  it("reaches no controller namespace, which carries no area", () => {
    for (const area of AREAS) {
      for (const other of AREAS) {
        const labels = namespaceLabels(dev(), `ingress-${other}`);
        assert.equal(reaches(dev(), area, labels, 8443), false, `${area} -> ingress-${other}`);
      }
    }
  });

  it("reaches a tool only through the controllers it is exposed via, on its ports", () => {
    const config = dev();
    const vault = namespaceLabels(config, "vault");
    const grafana = namespaceLabels(config, "monitoring");
    assert.deepEqual(
      AREAS.filter((area) => reaches(config, area, vault, 8200)),
      ["internalservices"],
    );
    assert.equal(reaches(config, "internalservices", vault, 8201), false);
    assert.deepEqual(
      AREAS.filter((area) => reaches(config, area, grafana, 3000)),
      ["backoffice"],
    );
  });
});

describe("the WAF in front of the public controller", () => {
  it("exists for the public area only", () => {
    assert.deepEqual(
      planPublicWafs(dev()).map((plan) => plan.area),
      AREAS.filter((area) => planIngressController(dev(), area).loadBalancer.kind === "alb"),
    );
    assert.deepEqual(
      planPublicWafs(dev()).map((plan) => plan.area),
      ["publicfrontal"],
    );
  });

  it("runs every configured AWS managed rule group, each at its own priority, in a regional web ACL", () => {
    const config = dev();
    const [plan] = planPublicWafs(config);
    assert.ok(plan);
    assert.equal(plan.webAcl.scope, "REGIONAL");
    assert.deepEqual(
      plan.webAcl.rules.map((rule) => rule.ruleGroup).sort(),
      [...(config.ingress.find((c) => c.area === "publicfrontal")?.wafManagedRuleGroups ?? [])].sort(),
    );
    assert.ok(plan.webAcl.rules.every((rule) => rule.vendorName === "AWS"));
    assert.equal(new Set(plan.webAcl.rules.map((rule) => rule.priority)).size, plan.webAcl.rules.length);
  });

  it("fronts the public controller's TLS entry point with an internet-facing ALB of its own class", () => {
    const config = dev();
    const [plan] = planPublicWafs(config);
    const controller = planIngressController(config, "publicfrontal");
    assert.ok(plan);
    assert.equal(plan.albIngress.metadata.namespace, controller.identity.namespace);
    assert.equal(plan.albIngress.spec.ingressClassName, plan.albClass.metadata.name);
    assert.deepEqual(plan.albIngress.spec.defaultBackend.service, {
      name: controller.serviceName,
      port: { name: "websecure" },
    });
    assert.equal(plan.albClass.spec.controller, ALB_CONTROLLER);
    assert.equal(plan.albClass.spec.parameters?.name, plan.albClassParams.metadata.name);
    assert.equal(plan.albClassParams.spec.scheme, "internet-facing");
    const annotations = plan.albIngress.metadata.annotations;
    assert.equal(annotations["alb.ingress.kubernetes.io/target-type"], "ip");
    assert.equal(annotations["alb.ingress.kubernetes.io/inbound-cidrs"], ANYWHERE);
    assert.equal(
      annotations["alb.ingress.kubernetes.io/certificate-arn"],
      config.ingress.find((c) => c.area === "publicfrontal")?.certificateArns.join(","),
    );
    assert.equal(annotations[WAF_ACL_ANNOTATION], undefined, "the component adds the web ACL's ARN");
  });

  it("admits Ingresses for the ALB's class from the public controller's namespace only", () => {
    const [plan] = planPublicWafs(dev());
    assert.deepEqual(plan?.albClassParams.spec.namespaceSelector, {
      matchLabels: { [NAMESPACE_NAME_LABEL]: "ingress-publicfrontal" },
    });
  });

  it("sends the ALB's traffic and health checks to ports the public controller's policy opens", () => {
    const config = dev();
    const [plan] = planPublicWafs(config);
    const opened = openings(planControllerRules(config, "publicfrontal").loadBalancer ?? []).map(
      (o) => o.split(" ")[1],
    );
    const identity = controllerIdentity("publicfrontal");
    const healthPort = plan?.albIngress.metadata.annotations["alb.ingress.kubernetes.io/healthcheck-port"];
    assert.ok(opened.includes(`${healthPort}/TCP`));
    assert.ok(opened.includes(`${identity.ports.https}/TCP`));
  });
});

describe("rendered ingress objects against the Kubernetes schema", () => {
  async function schemaProblems(object: { apiVersion: string; kind: string }): Promise<string[]> {
    // kubernetes-models is ESM-only; a dynamic import loads it from this CommonJS project.
    const models = (await import(`kubernetes-models/${object.apiVersion}`)) as Record<
      string,
      new (
        data: unknown,
      ) => { validate(): void }
    >;
    const Model = models[object.kind];
    if (!Model) return [`no model for ${object.kind}`];
    try {
      new Model(object).validate();
      return [];
    } catch (error) {
      return [error instanceof Error ? error.message : String(error)];
    }
  }

  it("renders IngressClasses, the ALB's Ingress and the controllers' policies the API server accepts", async () => {
    const config = dev();
    const [waf] = planPublicWafs(config);
    assert.ok(waf);
    const objects = [
      ...planIngressControllers(config).map((plan) => plan.ingressClass),
      waf.albClass,
      {
        ...waf.albIngress,
        metadata: {
          ...waf.albIngress.metadata,
          annotations: { ...waf.albIngress.metadata.annotations, [WAF_ACL_ANNOTATION]: "arn:aws:wafv2:x" },
        },
      },
      ...AREAS.flatMap((area) => planControllerPolicies(config, area)).map((policy) =>
        toNetworkPolicy(policy),
      ),
    ];
    for (const object of objects) {
      assert.deepEqual(await schemaProblems(object as never), [], `${object.kind} ${object.metadata?.name}`);
    }
  });

  it("catches an object the API server would refuse", async () => {
    const plan = planIngressController(dev(), "backoffice");
    const broken = { ...plan.ingressClass, spec: { controller: 42 } };
    assert.notDeepEqual(await schemaProblems(broken), []);
  });
});

describe("pinned chart", () => {
  it("is the version the README documents", async () => {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    assert.ok(readme.includes(`traefik ${TRAEFIK_CHART.version}`), "README names another chart version");
  });
});
