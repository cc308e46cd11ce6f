/**
 * The plan of a generated 500-namespace estate (the dev stack's config with its namespaces replaced, every
 * tenth one strict) against Pulumi registering the same number of plain resources (ConfigMaps with small
 * inputs, no parents, no dependencies) under the same mocks, side by side in one run (DESIGN.md section 9:
 * at most 1.3×). Both go through `runOffline`, so both pay the same mock monitor and recording; the
 * difference is what the stack itself costs: the model, the validation, the components and their options.
 */

import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as k8s from "@pulumi/kubernetes";
import { manifestsOf } from "../cli/manifests";
import { runOffline } from "../cli/offline";
import type { Plan } from "../cli/plan/plan";
import { SILENT } from "../cli/plan/progress";
import { renderPlan } from "../cli/plan/render";
import { AREAS } from "../model/areas";
import { parseConfig } from "../model/config";
import { PROJECT, rawConfigOf, readStackFile } from "../model/stackFile";
import { segmentation } from "../program";
import { type Benchmark, formatDuration } from "./benchmark";

const NAMESPACES = 500;
const RUNS = 5;
const TARGET = 1.3;

function estateConfig(namespaces: number): Record<string, string> {
  const config = { ...readStackFile(join(__dirname, "..", "Pulumi.dev.yaml")).config };
  const entries = Array.from({ length: namespaces }, (_, i) => [
    `team-${String(i).padStart(4, "0")}`,
    { area: AREAS[i % AREAS.length], ...(i % 10 === 9 ? { phase: "strict" } : {}) },
  ]);
  config[`${PROJECT}:namespaces`] = JSON.stringify(Object.fromEntries(entries));
  return config;
}

function plainProgram(count: number) {
  return () => {
    for (let i = 0; i < count; i++) {
      new k8s.core.v1.ConfigMap(`plain-${i}`, {
        metadata: { name: `plain-${i}`, namespace: "default" },
        data: { key: `value-${i}` },
      });
    }
    return {};
  };
}

// Each run starts from a collected heap, so no run pays for the garbage of the one before.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

interface Timing {
  ms: number;
  /** CPU time of the process (all threads, the garbage collector's included): less noisy on a shared machine. */
  cpuMs: number;
}

async function timed<T>(work: () => Promise<T>): Promise<Timing & { result: T }> {
  collectGarbage();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, result };
}

export const plan: Benchmark = {
  name: "plan",
  async run(log) {
    const config = estateConfig(NAMESPACES);
    const stack = async () => runOffline(segmentation, { project: PROJECT, stack: "bench", config });
    // Warm up: module loading and the JIT would otherwise be charged to whichever runs first.
    const warm = await stack();
    const resources = warm.resources.length;
    await runOffline(plainProgram(resources), { project: PROJECT, stack: "bench", config: {} });

    const planned: Timing[] = [];
    const plain: Timing[] = [];
    let last = warm;
    for (let run = 0; run < RUNS; run++) {
      // Interleaved, so a noisy neighbour on a shared machine slows both sides alike.
      const ours = await timed(stack);
      planned.push(ours);
      last = ours.result;
      plain.push(
        await timed(() =>
          runOffline(plainProgram(resources), { project: PROJECT, stack: "bench", config: {} }),
        ),
      );
    }
    const best = (list: Timing[], of: keyof Timing) => Math.min(...list.map((t) => t[of]));
    const ratio = best(planned, "ms") / best(plain, "ms");
    const cpuRatio = best(planned, "cpuMs") / best(plain, "cpuMs");

    // The rest of `netseg plan`: reachability, design check, reports and picture, for the record.
    const render = await timed(async () => {
      const p: Plan = {
        stack: "bench",
        config: parseConfig(rawConfigOf(config)),
        resources: last.resources,
        manifests: manifestsOf(last.resources),
        outputs: last.outputs as Record<string, unknown>,
      };
      return renderPlan(p, SILENT);
    });

    log(`${NAMESPACES} namespaces: ${resources.toLocaleString("en")} resources declared by the stack.`);
    log("");
    const row = (what: string, list: Timing[]) =>
      `| ${what} | ${formatDuration(best(list, "ms"))} | ${formatDuration(best(list, "cpuMs"))} | ` +
      `${list.map((t) => formatDuration(t.ms)).join(", ")} |`;
    log("| run under mocks | best time | best CPU time | all runs |");
    log("|---|---:|---:|---|");
    log(row("the stack (netseg plan's program run)", planned));
    log(row(`${resources.toLocaleString("en")} plain ConfigMaps`, plain));
    log("");
    log(
      `Ratio ${ratio.toFixed(2)}× in time, ${cpuRatio.toFixed(2)}× in CPU time (target at most ${TARGET}×): ` +
        `${ratio <= TARGET ? "met" : "missed"}.`,
    );
    log(
      `The rest of netseg plan (reachability, design check, reports, picture): ${formatDuration(render.ms)} ` +
        `for ${render.result.files.length} files.`,
    );
  },
};
