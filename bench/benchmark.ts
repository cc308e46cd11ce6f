/** What `npm run bench` was asked for, and where a benchmark reports that it is still running. */
export interface BenchOptions {
  /** Estate sizes in namespaces (`--sizes 1000,10000` or `BENCH_SIZES`); each benchmark has defaults. */
  sizes?: number[];
  /** Interleaved pairs per size (`--pairs N` or `BENCH_PAIRS`). */
  pairs?: number;
  /**
   * The estates' `policyMode` (`--mode` or `BENCH_MODE`): dev's, `clusterTier`, unless told; `networkPolicy`
   * is prod's, where the namespace policies hold the boundaries themselves.
   */
  mode?: "clusterTier" | "networkPolicy";
  /** A line of progress on standard error; results go to `log`, on standard output. */
  progress(line: string): void;
}

/** A benchmark prints its own measurements; `bench/run.ts` runs every one listed in `bench/index.ts`. */
export interface Benchmark {
  /** What `npm run bench -- <name>` selects. */
  name: string;
  run(log: (line: string) => void, options: BenchOptions): void | Promise<void>;
}

/** Milliseconds spent in `work`, with its result. */
export function timed<T>(work: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = work();
  return { ms: performance.now() - start, result };
}

/** A duration in the unit that keeps it readable: ns, µs, ms or s. */
export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(0)} ms`;
  if (ms >= 0.001) return `${(ms * 1000).toFixed(1)} µs`;
  return `${(ms * 1e6).toFixed(0)} ns`;
}
