/** A benchmark prints its own measurements; `bench/run.ts` runs every one listed in `bench/index.ts`. */
export interface Benchmark {
  /** What `npm run bench -- <name>` selects. */
  name: string;
  run(log: (line: string) => void): void | Promise<void>;
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
