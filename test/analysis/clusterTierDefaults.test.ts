/**
 * In clusterTier mode the boundaries are the cluster tier's: a namespace's default policies only decide
 * inside what it passes. That must change no verdict. The proof compares two estates under the same
 * Admin tier: the stack as it renders in clusterTier mode, and the same stack with the namespace policies
 * of networkPolicy mode, which hold every boundary themselves. Every connection of the plan's matrix, and
 * every pod's connection to both sides of each range the stack names, must be decided alike.
 */
import assert from "node:assert/strict";
import { diffConnections } from "../../analysis/diff";
import { type PlannedObjects, probeEstate } from "../../analysis/estate";
import { reachabilityOf } from "../../analysis/reachability";
import { manifestsOf, plannedObjects } from "../../cli/manifests";
import { INSTANCE_METADATA_CIDR, NON_PUBLIC_RANGES } from "../../core/cidr";
import { NetworkPolicyEvaluator, type Protocol } from "../../evaluator";
import { parseConfig, type SegmentationConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import { closedStoreSubnets } from "../../model/storePolicies";
import { rangeEdges } from "../support/edges";
import { editedConfig, runStack, withoutCni } from "../support/stack";
import { stackCounts } from "../support/stackCounts";

type Values = Parameters<Parameters<typeof editedConfig>[0]>[0];

interface Rendered {
  config: SegmentationConfig;
  objects: PlannedObjects;
}

async function rendered(edit: (values: Values) => void): Promise<Rendered> {
  const raw = editedConfig(edit);
  const run = await runStack(raw);
  return { config: parseConfig(rawConfigOf(raw)), objects: plannedObjects(manifestsOf(run.resources)) };
}

/** Both sides of each end of every range: where a rendering that moved a boundary would part. */
function edgeAddresses(config: SegmentationConfig): string[] {
  const ranges = [
    ...NON_PUBLIC_RANGES,
    INSTANCE_METADATA_CIDR,
    ...config.cluster.cidrs,
    ...config.cluster.controlPlaneCidrs,
    ...config.vpcs.flatMap((vpc) => vpc.cidrs),
    ...closedStoreSubnets(config),
    ...Object.values(config.egress.contractRanges).flat(),
    ...(config.egress.nodeLocalDns ? [`${config.egress.nodeLocalDns}/32`] : []),
  ];
  return [...new Set(["8.8.8.8", ...rangeEdges(ranges)])];
}

const PORTS: { port: number; protocol: Protocol }[] = [
  { port: 443, protocol: "TCP" },
  { port: 80, protocol: "TCP" },
  { port: 53, protocol: "UDP" },
  { port: 53, protocol: "TCP" },
  { port: 5432, protocol: "TCP" },
];

function edgeVerdicts(config: SegmentationConfig, objects: PlannedObjects): Map<string, string> {
  const { estate, pods } = probeEstate(config, objects);
  const evaluator = new NetworkPolicyEvaluator(estate);
  const verdicts = new Map<string, string>();
  for (const pod of pods) {
    for (const ip of edgeAddresses(config)) {
      for (const { port, protocol } of PORTS) {
        const { verdict } = evaluator.probe({
          from: { namespace: pod.namespace, pod: pod.name },
          to: { ip },
          port,
          protocol,
        });
        verdicts.set(`${pod.namespace}/${pod.name} → ${ip}:${port}/${protocol}`, verdict);
      }
    }
  }
  return verdicts;
}

/** The clusterTier plan with every NetworkPolicy taken from the same stack in networkPolicy mode. */
function withFullNamespacePolicies(tier: Rendered, full: Rendered): Rendered {
  assert.ok((tier.objects.clusterPolicies ?? []).length > 0, "the clusterTier plan has an Admin tier");
  assert.equal((full.objects.clusterPolicies ?? []).length, 0);
  return { config: tier.config, objects: { ...tier.objects, policies: full.objects.policies } };
}

const STACKS: Record<string, (values: Values) => void> = {
  dev: () => {},
  "dev with NodeLocal DNSCache and instance metadata": (values) => {
    values.egress.nodeLocalDns = "169.254.20.10";
    values.egress.instanceMetadata = "allow";
  },
};

describe("namespace policies under the cluster tier", () => {
  for (const [name, edit] of Object.entries(STACKS)) {
    describe(name, () => {
      let tier: Rendered;
      let both: Rendered;
      before(async () => {
        tier = await rendered(edit);
        const full = await rendered((values) => {
          edit(values);
          withoutCni(values);
        });
        assert.equal(tier.config.policyMode, "clusterTier");
        assert.equal(full.config.policyMode, "networkPolicy");
        both = withFullNamespacePolicies(tier, full);
      });

      it("decide every connection of the plan's matrix as policies that hold the boundaries themselves", () => {
        const base = reachabilityOf(both.config, both.objects);
        const head = reachabilityOf(tier.config, tier.objects);
        assert.ok(base.sources.length > 50 && base.destinations.length > 50);
        assert.deepEqual(diffConnections(base, head), []);
      });

      it("decide every pod's connection to both sides of every range the stack names alike", () => {
        const full = edgeVerdicts(both.config, both.objects);
        const lean = edgeVerdicts(tier.config, tier.objects);
        assert.ok(full.size > 10_000, `${full.size} probes`);
        const allowed = [...full.values()].filter((verdict) => verdict === "allow").length;
        assert.ok(allowed > 0 && allowed < full.size, `${allowed} of ${full.size} allowed`);
        assert.deepEqual(
          [...full].filter(([probe, verdict]) => lean.get(probe) !== verdict),
          [],
        );
      });

      it("let every area pod resolve names, through NodeLocal DNSCache too when it runs", () => {
        const { estate, pods } = probeEstate(tier.config, tier.objects);
        const evaluator = new NetworkPolicyEvaluator(estate);
        const resolver = tier.config.egress.nodeLocalDns;
        const dns = pods.find((pod) => pod.role.kind === "dns")!;
        const areaPods = pods.filter((pod) => pod.role.kind === "area-pod");
        // An exposed and an unexposed pod in every area namespace.
        assert.equal(areaPods.length, 2 * stackCounts("dev").namespaces);
        const denied = areaPods.flatMap((pod) =>
          (["UDP", "TCP"] as const).flatMap((protocol) => {
            const from = { namespace: pod.namespace, pod: pod.name };
            const to = resolver ? { ip: resolver } : { namespace: dns.namespace, pod: dns.name };
            const { verdict, reason } = evaluator.probe({ from, to, port: 53, protocol });
            return verdict === "allow" ? [] : [`${pod.namespace}/${pod.name} 53/${protocol}: ${reason}`];
          }),
        );
        assert.deepEqual(denied, []);
      });
    });
  }
});
