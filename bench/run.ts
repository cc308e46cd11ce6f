/**
 * `npm run bench [-- name...] [--sizes 1000,10000] [--pairs 3] [--mode clusterTier|networkPolicy]`: runs the
 * benchmarks (all, or those named) one after the other. `BENCH_SIZES`, `BENCH_PAIRS` and `BENCH_MODE` do the
 * same as the flags. Results go to standard
 * output as Markdown tables, progress to standard error. Timings are printed, never asserted: they depend
 * on the machine.
 */
import { parseArgs } from "node:util";
import type { Benchmark, BenchOptions } from "./benchmark";
import * as benchmarks from "./index";

function positiveIntegers(text: string | undefined, what: string): number[] | undefined {
  if (text === undefined || text === "") return undefined;
  const values = text.split(",").map((part) => Number(part.trim()));
  if (values.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new Error(`${what} must be positive whole numbers separated by commas, got "${text}"`);
  }
  return values;
}

async function main(args: readonly string[]): Promise<void> {
  const all: Benchmark[] = Object.values(benchmarks);
  let options: BenchOptions;
  let names: string[];
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { sizes: { type: "string" }, pairs: { type: "string" }, mode: { type: "string" } },
    });
    const mode = values.mode ?? process.env.BENCH_MODE;
    if (mode !== undefined && mode !== "clusterTier" && mode !== "networkPolicy") {
      throw new Error(`--mode must be clusterTier or networkPolicy, got "${mode}"`);
    }
    const sizes = positiveIntegers(values.sizes ?? process.env.BENCH_SIZES, "--sizes");
    const [pairs] = positiveIntegers(values.pairs ?? process.env.BENCH_PAIRS, "--pairs") ?? [];
    options = {
      ...(sizes ? { sizes } : {}),
      ...(pairs ? { pairs } : {}),
      ...(mode ? { mode } : {}),
      progress: (line) => process.stderr.write(`bench: ${line}\n`),
    };
    names = positionals;
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  const unknown = names.filter((name) => !all.some((b) => b.name === name));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(", ")}; there are ${all.map((b) => b.name).join(", ")}`);
    process.exitCode = 2;
    return;
  }
  for (const benchmark of all.filter((b) => names.length === 0 || names.includes(b.name))) {
    console.log(`## ${benchmark.name}`);
    await benchmark.run((line) => console.log(line), options);
    console.log("");
  }
}

void main(process.argv.slice(2));
