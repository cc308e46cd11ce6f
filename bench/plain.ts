/**
 * The baseline of the plan benchmark, run as a process of its own: Pulumi registering `count` plain
 * ConfigMaps (small inputs, no parents, no dependencies) under the same mocks and recording as the stack,
 * declared in batches of 1,000 with a yield between, as a well-behaved program of that size would. Prints
 * one JSON line: the resources recorded and the wall and CPU time of the run.
 *
 *   node --require tsx/cjs bench/plain.ts COUNT
 */
import * as k8s from "@pulumi/kubernetes";
import { runOffline } from "../cli/offline";
import { PROJECT } from "../model/stackFile";

const BATCH = 1000;

async function plainProgram(count: number): Promise<Record<string, never>> {
  for (let i = 0; i < count; i++) {
    new k8s.core.v1.ConfigMap(`plain-${i}`, {
      metadata: { name: `plain-${i}`, namespace: "default" },
      data: { key: `value-${i}` },
    });
    if ((i + 1) % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return {};
}

async function main(count: number): Promise<void> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const run = await runOffline(() => plainProgram(count), { project: PROJECT, stack: "bench", config: {} });
  const used = process.cpuUsage(cpu);
  const result = {
    resources: run.resources.length,
    ms: performance.now() - started,
    cpuMs: (used.user + used.system) / 1000,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main(Number(process.argv[2]));
