import assert from "node:assert/strict";
import { probeEstate } from "../../analysis/estate";
import { manifestsOf, plannedObjects } from "../../cli/manifests";
import { NON_PUBLIC_RANGES } from "../../core/cidr";
import { NetworkPolicyEvaluator } from "../../evaluator";
import { parseConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import { rangeEdges } from "../support/edges";
import { editedConfig, runStack, withoutCni } from "../support/stack";

type Rendering = "complement" | "except";

/** Every address where the two renderings could part: each non-public range's ends and their neighbours. */
function edgeAddresses(): string[] {
  return [...new Set(["169.254.169.254", "8.8.8.8", ...rangeEdges(NON_PUBLIC_RANGES)])];
}

/** Each area or tool pod's verdict to every edge address on 443 and 80, for the stack rendered one way. */
async function verdicts(
  mode: "clusterTier" | "networkPolicy",
  rendering: Rendering,
): Promise<Map<string, string>> {
  const raw = editedConfig((values) => {
    if (mode === "networkPolicy") withoutCni(values);
    values.egress.publicInternet = rendering;
  });
  const config = parseConfig(rawConfigOf(raw));
  assert.equal(config.policyMode, mode);
  assert.equal(config.egress.publicInternet, rendering);
  const run = await runStack(raw);
  const { estate, pods } = probeEstate(config, plannedObjects(manifestsOf(run.resources)));
  const evaluator = new NetworkPolicyEvaluator(estate);
  const result = new Map<string, string>();
  for (const pod of pods) {
    for (const ip of edgeAddresses()) {
      for (const port of [443, 80]) {
        const { verdict } = evaluator.probe({
          from: { namespace: pod.namespace, pod: pod.name },
          to: { ip },
          port,
        });
        result.set(`${pod.namespace}/${pod.name} → ${ip}:${port}`, verdict);
      }
    }
  }
  return result;
}

describe("the two renderings of the public internet", () => {
  for (const mode of ["clusterTier", "networkPolicy"] as const) {
    it(`decide every pod's egress to the edges of the private ranges alike in ${mode} mode`, async () => {
      const list = await verdicts(mode, "complement");
      const except = await verdicts(mode, "except");
      // Both sides of every edge, from every pod of the estate: some allowed, some denied.
      // 9 ranges × 4 edges, less the two outside IPv4 and the two that 224/4 and 240/4 share, plus 2.
      assert.equal(NON_PUBLIC_RANGES.length, 9);
      assert.equal(edgeAddresses().length, 34);
      assert.ok(list.size > 1000, `${list.size} probes`);
      assert.equal(except.size, list.size);
      const allowed = [...list.values()].filter((verdict) => verdict === "allow").length;
      assert.ok(allowed > 0 && allowed < list.size, `${allowed} of ${list.size} allowed`);
      const parted = [...list].filter(([probe, verdict]) => except.get(probe) !== verdict);
      assert.deepEqual(parted, []);
    });
  }
});
