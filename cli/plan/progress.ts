/**
 * Progress on standard error: each phase as it ends, with its counts, so a run over a large estate never
 * looks hung and standard output stays clean for the result (Markdown for a PR comment, a table).
 */

export interface Progress {
  /** A phase finished: one line. */
  step(text: string): void;
  /** A phase is still under way: a line at most every few seconds. */
  tick(text: string): void;
}

const TICK_MS = 2000;

export function progressOn(write: (text: string) => void, prefix: string): Progress {
  let last = 0;
  return {
    step: (text) => write(`${prefix}: ${text}\n`),
    tick: (text) => {
      const now = performance.now();
      if (now - last < TICK_MS) return;
      last = now;
      write(`${prefix}: ${text}\n`);
    },
  };
}

export const SILENT: Progress = { step: () => {}, tick: () => {} };
