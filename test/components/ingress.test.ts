import assert from "node:assert/strict";
import type { RecordedResource } from "../../cli/offline";
import { AREAS } from "../../model/areas";
import { assertRejectedBeforeAnyResource, devConfig, devRun, editedConfig, runStack } from "../support/stack";

const CHART = "kubernetes:helm.sh/v4:Chart";
const INGRESS_CLASS = "kubernetes:networking.k8s.io/v1:IngressClass";
const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
const POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";
const WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const CONTROLLER = "segmentation:ingress:IngressController";

/** The dev stack's sources by name and VPC NAT addresses, as issue 6 lists them for each non-public area. */
function issueAllowlist(area: "backoffice" | "internalservices"): string[] {
  const values = Object.fromEntries(
    Object.entries(devConfig()).map(([key, text]) => [key.split(":")[1], text]),
  ) as Record<string, string>;
  const sources = JSON.parse(values.sources ?? "{}") as Record<string, string[]>;
  const vpcs = JSON.parse(values.vpcs ?? "{}") as Record<string, { natGatewayIps?: string[] }>;
  const names = area === "backoffice" ? ["offices", "vpnGeneric", "vpnIt", "vpnIt2"] : ["vpnIt2"];
  return [
    ...names.flatMap((name) => sources[name] ?? []),
    ...["publicfrontal", "backoffice", "natonly"].flatMap((vpc) =>
      (vpcs[vpc]?.natGatewayIps ?? []).map((ip) => `${ip}/32`),
    ),
  ].sort();
}

function only(resources: RecordedResource[], type: string, where: (r: RecordedResource) => boolean) {
  const found = resources.filter((r) => r.type === type && where(r));
  assert.equal(found.length, 1, `expected one ${type}, found ${found.map((r) => r.name).join(", ")}`);
  return found[0] as RecordedResource;
}

const chartOf = (resources: RecordedResource[], area: string) =>
  only(resources, CHART, (r) => r.inputs.namespace === `ingress-${area}`);

describe("the ingress controllers under mocks", () => {
  let resources: RecordedResource[];
  before(async () => {
    resources = (await devRun()).resources;
  });

  for (const area of AREAS) {
    it(`releases the pinned Traefik chart for ${area} into its own namespace under a fixed name`, () => {
      const chart = chartOf(resources, area);
      assert.deepEqual(
        {
          chart: chart.inputs.chart,
          version: chart.inputs.version,
          repo: (chart.inputs.repositoryOpts as any)?.repo,
          namespace: chart.inputs.namespace,
          name: chart.inputs.name,
          skipCrds: chart.inputs.skipCrds,
        },
        {
          chart: "traefik",
          version: "41.6.0",
          repo: "https://traefik.github.io/charts",
          namespace: `ingress-${area}`,
          name: `ingress-${area}`,
          skipCrds: true,
        },
      );
      assert.equal((chart.inputs.values as any).providers.kubernetesIngressNGINX.ingressClass, area);
    });

    it(`declares the ${area} IngressClass with the controller value only ${area}'s Traefik serves`, () => {
      const ingressClass = only(resources, INGRESS_CLASS, (r) => (r.inputs.metadata as any).name === area);
      assert.deepEqual(ingressClass.inputs.spec, { controller: `netseg.dev/ingress-${area}` });
      assert.equal(
        (ingressClass.inputs.metadata as any).annotations?.["ingressclass.kubernetes.io/is-default-class"],
        undefined,
      );
      const values = chartOf(resources, area).inputs.values as any;
      assert.equal(values.providers.kubernetesIngressNGINX.controllerClass, `netseg.dev/ingress-${area}`);
    });

    it(`parents the ${area} release, class and policies to the ${area} controller`, () => {
      const controller = only(resources, CONTROLLER, (r) => r.name === `ingress-${area}`);
      const ancestors = (resource: RecordedResource): string[] => {
        const parent = resources.find((r) => r.urn === resource.parent);
        return parent ? [parent.urn, ...ancestors(parent)] : [];
      };
      const owned = [
        chartOf(resources, area),
        only(resources, INGRESS_CLASS, (r) => (r.inputs.metadata as any).name === area),
        ...resources.filter(
          (r) => r.type === POLICY && (r.inputs.metadata as any).namespace === `ingress-${area}`,
        ),
      ];
      assert.ok(owned.length > 2);
      for (const resource of owned) assert.ok(ancestors(resource).includes(controller.urn), resource.name);
    });
  }

  for (const area of ["backoffice", "internalservices"] as const) {
    it(`gives the ${area} NLB exactly the configured sources as source ranges`, () => {
      const service = (chartOf(resources, area).inputs.values as any).service;
      assert.equal(service.spec.type, "LoadBalancer");
      assert.deepEqual([...service.spec.loadBalancerSourceRanges].sort(), issueAllowlist(area));
      assert.equal(
        service.annotations["service.beta.kubernetes.io/aws-load-balancer-target-group-attributes"],
        "preserve_client_ip.enabled=true",
      );
    });
  }

  it("gives the public controller no load balancer of its own: the ALB is its only way in", () => {
    const service = (chartOf(resources, "publicfrontal").inputs.values as any).service;
    assert.deepEqual(service.spec, { type: "ClusterIP" });
  });

  it("declares one regional web ACL, with the configured AWS managed rule groups", () => {
    const acls = resources.filter((r) => r.type === WEB_ACL);
    assert.equal(acls.length, 1);
    const acl = acls[0] as RecordedResource;
    assert.equal(acl.inputs.scope, "REGIONAL");
    assert.deepEqual(
      (acl.inputs.rules as any[]).map((rule) => rule.statement.managedRuleGroupStatement.name).sort(),
      [
        "AWSManagedRulesAmazonIpReputationList",
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
      ],
    );
    assert.ok(
      (acl.inputs.rules as any[]).every(
        (rule) => rule.statement.managedRuleGroupStatement.vendorName === "AWS",
      ),
    );
  });

  it("attaches the web ACL to the public controller's ALB, and to nothing else", () => {
    const acl = only(resources, WEB_ACL, () => true);
    const ingresses = resources.filter((r) => r.type === INGRESS);
    assert.equal(ingresses.length, 1);
    const alb = ingresses[0] as RecordedResource;
    const metadata = alb.inputs.metadata as any;
    assert.equal(metadata.namespace, "ingress-publicfrontal");
    assert.equal(
      metadata.annotations["alb.ingress.kubernetes.io/wafv2-acl-arn"],
      `arn:aws:mock::${WEB_ACL}:${acl.name}`,
    );
    assert.equal((alb.inputs.spec as any).defaultBackend.service.name, "ingress-publicfrontal-traefik");
    // The LBC owns the ALB; a Pulumi association would be undone by it.
    assert.equal(resources.filter((r) => r.type === WEB_ACL_ASSOCIATION).length, 0);
  });

  it("returns each area's class, release and source ranges as stack outputs", async () => {
    const { outputs } = await devRun();
    assert.equal(outputs.ingressControllers.backoffice?.ingressClass, "backoffice");
    assert.equal(outputs.ingressControllers.internalservices?.releaseName, "ingress-internalservices");
    assert.deepEqual(
      [...(outputs.ingressControllers.internalservices?.sourceRanges ?? [])].sort(),
      issueAllowlist("internalservices"),
    );
    assert.match(String(outputs.publicWebAclArns.publicfrontal), /^arn:aws:mock::aws:wafv2/);
  });

  it("keeps every controller's URNs when its allowlist changes, so nothing is replaced", async () => {
    const changed = await runStack(
      editedConfig((v) => {
        v.ingress.backoffice.sources = ["vpnIt"];
        v.sources.vpnIt2 = ["192.0.2.64/28"];
      }),
    );
    const urns = (list: RecordedResource[]) =>
      list
        .filter((r) => r.urn.includes("ingress-"))
        .map((r) => r.urn)
        .sort();
    assert.deepEqual(urns(changed.resources), urns(resources));
    const ranges = (chartOf(changed.resources, "backoffice").inputs.values as any).service.spec
      .loadBalancerSourceRanges;
    assert.ok(!ranges.includes("192.0.2.0/28"), "the offices were dropped from backoffice");
  });

  it("renders the objects it declares itself as the Kubernetes API accepts them", async () => {
    const kinds: Record<string, [string, string]> = {
      [INGRESS_CLASS]: ["networking.k8s.io/v1", "IngressClass"],
      [INGRESS]: ["networking.k8s.io/v1", "Ingress"],
      [POLICY]: ["networking.k8s.io/v1", "NetworkPolicy"],
    };
    const objects = resources.filter((r) => r.type in kinds);
    assert.ok(objects.length >= 3 + 2 + 18);
    for (const resource of objects) {
      const [apiVersion, kind] = kinds[resource.type] as [string, string];
      const models = (await import(`kubernetes-models/${apiVersion}`)) as Record<
        string,
        new (
          data: unknown,
        ) => { validate(): void }
      >;
      const Model = models[kind];
      assert.ok(Model);
      assert.doesNotThrow(
        () => new Model({ apiVersion, kind, ...resource.inputs }).validate(),
        resource.name,
      );
    }
  });
});

describe("bad ingress config under mocks", () => {
  const broken: [string, (values: Record<string, any>) => void, RegExp][] = [
    [
      "a non-public controller with an empty allowlist",
      (v) => (v.ingress.internalservices = { sources: [], natGatewaysOf: [] }),
      /segmentation:ingress\.internalservices\.sources: .* is empty; an empty allowlist/,
    ],
    [
      "a non-public controller open to the internet",
      (v) => {
        v.sources.anywhere = ["0.0.0.0/0"];
        v.ingress.backoffice.sources.push("anywhere");
      },
      /segmentation:ingress\.backoffice\.sources\[4\]: "anywhere" contains 0\.0\.0\.0\/0/,
    ],
    [
      "an unknown source",
      (v) => (v.ingress.backoffice.sources = ["offices", "vpnIt3"]),
      /segmentation:ingress\.backoffice\.sources\[1\]: "vpnIt3" is not a source/,
    ],
    [
      "a public controller without WAF rule groups",
      (v) => (v.ingress.publicfrontal.wafManagedRuleGroups = []),
      /segmentation:ingress\.publicfrontal\.wafManagedRuleGroups: .* unfiltered/,
    ],
  ];
  for (const [what, edit, message] of broken) {
    it(`registers nothing for ${what}`, async () => {
      await assertRejectedBeforeAnyResource(editedConfig(edit), message);
    });
  }
});
