/**
 * `npm run bench [-- name...]`: runs the benchmarks (all, or those named) one after the other in this
 * process. Timings are printed, never asserted: they depend on the machine.
 */
import type { Benchmark } from "./benchmark";
import * as benchmarks from "./index";

async function main(names: readonly string[]): Promise<void> {
  const all: Benchmark[] = Object.values(benchmarks);
  const unknown = names.filter((name) => !all.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(", ")}; there are ${all.map((b) => b.name).join(", ")}`);
    process.exitCode = 2;
    return;
  }
  for (const benchmark of all.filter((b) => names.length === 0 || names.includes(b.name))) {
    console.log(`## ${benchmark.name}`);
    await benchmark.run((line) => console.log(line));
    console.log("");
  }
}

void main(process.argv.slice(2));
