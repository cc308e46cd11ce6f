import assert from "node:assert/strict";
import { NON_PUBLIC_RANGES, publicInternet } from "../../core/cidr";
import { AREA_LABEL, extraIngressLabel, NAMESPACE_NAME_LABEL } from "../../core/labels";
import { DEFAULT_DENY } from "../../model/areaPolicies";
import { AREAS } from "../../model/areas";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { CONTROLLERS } from "../../model/controllers";
import { planKubernetes } from "../../model/kubernetes";
import { rawConfigOf } from "../../model/stackFile";
import { planToolEgressPolicies } from "../../model/toolPolicies";
import { devConfig, editedConfig } from "../support/stack";
import { DEV } from "../support/stackCounts";

/** Namespaces planned for dev: the area namespaces, each area's controller's and the tools'. */
const DEV_NAMESPACES = DEV.namespaces + AREAS.length + DEV.tools;

const dev = () => parseConfig(rawConfigOf(devConfig()));
const configWith = (edit: (v: Record<string, any>) => void) => parseConfig(rawConfigOf(editedConfig(edit)));

/** A config of `count` generated namespaces spread over the three areas. */
function estate(count: number): SegmentationConfig {
  return configWith((v) => {
    // The dev stores' clients are dev's namespaces, which this estate replaces.
    for (const store of v.dataStores) store.clients = store.phase = undefined;
    v.namespaces = Object.fromEntries(
      Array.from({ length: count }, (_, i) => [
        `service-${i}`,
        {
          area: AREAS[i % 3],
          ...(i % 5 === 0 ? { phase: "strict" } : {}),
          ...(i % 6 === 1 ? { ingressControllers: ["internalservices"] } : {}),
        },
      ]),
    );
  });
}

describe("namespaces", () => {
  it("labels every area namespace with its area and nothing else with one", () => {
    const config = dev();
    const plan = planKubernetes(config);
    assert.equal(plan.length, DEV_NAMESPACES);
    for (const { namespace } of plan) {
      const configured = config.namespaces.find((ns) => ns.name === namespace.name);
      assert.equal(namespace.labels[AREA_LABEL], configured?.area, namespace.name);
    }
  });

  it("gives each controller and tool its own namespace without an area", () => {
    const names = planKubernetes(dev()).map((ns) => ns.namespace.name);
    for (const expected of [...CONTROLLERS.map((c) => c.namespace), "monitoring", "vault"]) {
      assert.ok(names.includes(expected), expected);
    }
  });

  it("marks the workaround namespaces as admitting the internalservices controller", () => {
    const plan = planKubernetes(dev());
    const marked = plan
      .filter((ns) => ns.namespace.labels[extraIngressLabel("internalservices")] === "true")
      .map((ns) => ns.namespace.name);
    assert.deepEqual(marked, ["beneficiaries", "gpi-gateway", "gpi-interface", "payments", "risk-admin"]);
  });

  it("names a namespace after itself only, whatever its area or phase", () => {
    const moved = configWith((v) => {
      v.namespaces.payments = { area: "internalservices", phase: "strict" };
    });
    const name = (config: SegmentationConfig) =>
      planKubernetes(config).find((ns) => ns.namespace.name === "payments")?.namespace.resourceName;
    assert.equal(name(moved), name(dev()));
  });
});

describe("default policies", () => {
  it("keeps the same small set of policies and rules per namespace at 10 and at 200 namespaces", () => {
    // Namespaces of the same area, phase and extra controllers must get identically sized policies,
    // however many namespaces the estate has.
    const shapes = new Map<string, Set<string>>();
    const kindOf = (ns: SegmentationConfig["namespaces"][number]) =>
      `${ns.area}/${ns.phase}/${ns.extraIngressControllers.join("+")}`;
    for (const config of [estate(10), estate(200)]) {
      for (const { namespace, policies } of planKubernetes(config)) {
        if (namespace.role !== "area") continue;
        const kind = kindOf(config.namespaces.find((ns) => ns.name === namespace.name)!);
        const rules = policies.flatMap((p) => [...(p.spec.ingress ?? []), ...(p.spec.egress ?? [])]);
        const peers = rules.flatMap((r) => ("from" in r ? (r.from ?? []) : "to" in r ? (r.to ?? []) : []));
        shapes.set(
          kind,
          (shapes.get(kind) ?? new Set()).add(`${policies.length}/${rules.length}/${peers.length}`),
        );
        assert.ok(policies.length <= 6, `${namespace.name} has ${policies.length} policies`);
      }
    }
    // Every kind of namespace the larger estate has was seen.
    assert.equal(shapes.size, new Set(estate(200).namespaces.map(kindOf)).size);
    for (const [kind, sizes] of shapes) assert.equal(sizes.size, 1, `${kind}: ${[...sizes].join(", ")}`);
  });

  it("never names another area namespace in a policy", () => {
    const config = estate(50);
    const areaNamespaces = new Set(config.namespaces.map((ns) => ns.name));
    const plan = planKubernetes(config);
    assert.equal(plan.length, 50 + AREAS.length + DEV.tools);
    for (const { namespace, policies } of plan) {
      for (const policy of policies) {
        const named =
          JSON.stringify(policy.spec).match(
            new RegExp(`"${NAMESPACE_NAME_LABEL.replace(/[./]/g, "\\$&")}":"([^"]+)"`, "g"),
          ) ?? [];
        for (const match of named) {
          const target = match.split(":")[1]?.replaceAll('"', "");
          assert.ok(!areaNamespaces.has(target ?? ""), `${namespace.name}/${policy.name} names ${target}`);
        }
      }
    }
  });

  it("creates every allow of a namespace before its default-deny", () => {
    // The controllers' namespaces get their policies with the controllers themselves.
    const withDefaults = planKubernetes(dev()).filter((ns) => ns.namespace.role !== "ingress-controller");
    assert.equal(withDefaults.length, DEV.namespaces + DEV.tools);
    for (const { namespace, policies } of withDefaults) {
      const deny = policies.find((p) => p.name === DEFAULT_DENY || p.name === "netseg-default-deny-ingress");
      assert.ok(deny, `${namespace.name} has no default deny`);
      // A tool's egress policy isolates and allows at once, so it waits for nothing and nothing waits for it.
      const toolEgress = new Set(planToolEgressPolicies(dev()).map((p) => p.resourceName));
      assert.equal(toolEgress.size, 2);
      const selfContained = policies.filter((p) => toolEgress.has(p.resourceName));
      const allows = policies
        .filter((p) => p !== deny && !selfContained.includes(p))
        .map((p) => p.resourceName)
        .sort();
      assert.deepEqual([...deny.after].sort(), allows, namespace.name);
      // Allows may follow each other (test/components/rollout.test.ts checks every order), never the deny.
      for (const allow of policies.filter((p) => p !== deny && !selfContained.includes(p)))
        assert.ok(!allow.after.includes(deny.resourceName), allow.resourceName);
    }
  });

  it("says why every policy exists", () => {
    const plan = planKubernetes(dev());
    assert.equal(plan.length, DEV_NAMESPACES);
    for (const { policies } of plan) {
      for (const policy of policies) assert.ok(policy.description.length > 20, policy.resourceName);
    }
  });

  it("renders the public internet by the policy mode unless told: one except block in clusterTier, the list in networkPolicy", () => {
    // The tools' egress names the internet in both modes (an area namespace's does only in networkPolicy
    // mode: in clusterTier mode its one ipBlock leaves the private ranges to the cluster tier).
    const egressOf = (config: SegmentationConfig) =>
      planKubernetes(config)
        .find((ns) => ns.namespace.name === config.tools.monitoring.namespace)
        ?.policies.find((p) => p.name === "netseg-allow-egress")
        ?.spec.egress?.find(
          (rule) =>
            rule.to?.some(
              (peer) => peer.ipBlock && !config.cluster.controlPlaneCidrs.includes(peer.ipBlock.cidr),
            ) && rule.ports?.some((port) => port.port === 443),
        )?.to ?? [];
    const isList = (peers: ReturnType<typeof egressOf>) =>
      peers.length === publicInternet().length && peers.every((peer) => peer.ipBlock && !peer.ipBlock.except);
    const isExcept = (peers: ReturnType<typeof egressOf>) =>
      peers.length === 1 &&
      peers[0]?.ipBlock?.cidr === "0.0.0.0/0" &&
      [...(peers[0].ipBlock.except ?? [])].sort().join() === [...NON_PUBLIC_RANGES].sort().join();
    const modeDefault = (mode: string) =>
      configWith((v) => {
        v.policyMode = mode;
        delete v.egress.publicInternet;
      });
    assert.equal(dev().policyMode, "clusterTier");
    assert.ok(isExcept(egressOf(modeDefault("clusterTier"))));
    assert.ok(isList(egressOf(modeDefault("networkPolicy"))));
    // A value in the stack file wins over the mode's default, either way.
    const explicit = (mode: string, rendering: string) =>
      configWith((v) => {
        v.policyMode = mode;
        v.egress.publicInternet = rendering;
      });
    assert.ok(isList(egressOf(explicit("clusterTier", "complement"))));
    assert.ok(isExcept(egressOf(explicit("networkPolicy", "except"))));
  });
});
