/**
 * `netseg plan` and `netseg verify` on generated estates (see `bench/estate.ts`) against Pulumi registering
 * as many plain resources under the same mocks (`bench/plain.ts`), each command in a process of its own so
 * that its CPU time and maximum resident set size are its own.
 *
 * Runs come in pairs, interleaved (the order alternates from pair to pair), and every figure compared is a
 * ratio within one pair: on a shared machine a neighbour slows both sides of a pair alike, while the best
 * run of one side and the best of the other often come from different moments. The verdicts are on the
 * median of the pair-by-pair CPU-time ratios, CPU time being the less noisy measure when others share the
 * cores; wall-time ratios are shown next to them. Targets (DESIGN.md section 9): the stack's part of the
 * plan at most 1.1× the plain resources, `netseg plan` and `netseg verify` as a whole at most 1.5× in CPU
 * time and in maximum RSS.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Benchmark, type BenchOptions, formatDuration } from "./benchmark";
import { writeEstateStack } from "./estate";

const DEFAULT_SIZES = [1000, 10000];
const DEFAULT_PAIRS = 3;
const PROGRAM_TARGET = 1.1;
const COMMAND_TARGET = 1.5;

const ROOT = join(__dirname, "..");
const NETSEG = join(ROOT, "bin", "netseg");

interface Run {
  ms: number;
  cpuMs: number;
  maxRssMb: number;
  /** The program's run under mocks, as the command measured it in-process. */
  program: { ms: number; cpuMs: number; resources: number };
}

interface Pair {
  plan: Run;
  verify: Run;
  plain: Run;
}

/** Runs `node --require usage.cjs ...args`, forwarding its progress; resolves with its usage and output. */
function runProcess(
  args: readonly string[],
  progress: (line: string) => void,
): Promise<{ ms: number; cpuMs: number; maxRssMb: number; stdout: string; stderr: string }> {
  const usageFile = join(tmpdir(), `netseg-bench-usage-${process.pid}-${Date.now()}.json`);
  const started = performance.now();
  const child = spawn(process.execPath, ["--require", join(__dirname, "usage.cjs"), ...args], {
    cwd: ROOT,
    env: { ...process.env, NETSEG_BENCH_USAGE: usageFile },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let pending = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") progress(line);
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`${args.join(" ")} exited with ${code}:\n${stderr.slice(-2000)}`));
        return;
      }
      const usage = JSON.parse(readFileSync(usageFile, "utf8")) as {
        userCPUTime: number;
        systemCPUTime: number;
        maxRSS: number;
      };
      rmSync(usageFile, { force: true });
      resolve({
        ms,
        cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
        maxRssMb: usage.maxRSS / 1024,
        stdout,
        stderr,
      });
    });
  });
}

/** The line `planStack()` prints when the program has run: `... 8,174 resources declared (20.9 s, CPU 22.1 s)`. */
function programOf(stderr: string): Run["program"] {
  const match = /program run under mocks: ([\d,]+) resources? declared \(([\d.]+) s, CPU ([\d.]+) s\)/.exec(
    stderr,
  );
  if (!match)
    throw new Error(`netseg printed no program line; its standard error was:\n${stderr.slice(-2000)}`);
  return {
    resources: Number(match[1]!.replaceAll(",", "")),
    ms: Number(match[2]) * 1000,
    cpuMs: Number(match[3]) * 1000,
  };
}

async function netseg(args: readonly string[], progress: (line: string) => void): Promise<Run> {
  const run = await runProcess([NETSEG, ...args], progress);
  return { ...run, program: programOf(run.stderr) };
}

async function plain(count: number, progress: (line: string) => void): Promise<Run> {
  const run = await runProcess(
    ["--require", "tsx/cjs", join(__dirname, "plain.ts"), String(count)],
    progress,
  );
  const result = JSON.parse(run.stdout) as Run["program"];
  return { ...run, program: result };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `1.07× (1.03–1.12)`: the median of the ratios and their spread. */
function ratioText(ratios: readonly number[]): string {
  const spread =
    ratios.length > 1 ? ` (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})` : "";
  return `${median(ratios).toFixed(2)}×${spread}`;
}

const mb = (value: number) => `${Math.round(value).toLocaleString("en")} MB`;

export const plan: Benchmark = {
  name: "plan",
  async run(log, options: BenchOptions) {
    const sizes = options.sizes ?? DEFAULT_SIZES;
    const pairs = options.pairs ?? DEFAULT_PAIRS;
    const dir = mkdtempSync(join(tmpdir(), "netseg-bench-"));
    const results: { size: number; pairs: Pair[]; diff: Omit<Run, "program"> }[] = [];
    try {
      for (const size of sizes) {
        const stackFile = writeEstateStack(dir, `estate-${size}`, size, options.mode);
        const out = join(dir, `plan-${size}`);
        const measured: Pair[] = [];
        let resources = 0;
        for (let pair = 0; pair < pairs; pair++) {
          const label = (what: string) => (line: string) =>
            options.progress(
              `[${size.toLocaleString("en")} namespaces, pair ${pair + 1}/${pairs}, ${what}] ${line}`,
            );
          const runPlan = () => netseg(["plan", "--config", stackFile, "--out", out], label("plan"));
          const runVerify = () => netseg(["verify", "--config", stackFile], label("verify"));
          const runPlain = () => plain(resources, label("plain"));
          // The first pair learns the resource count from the plan; later pairs alternate the order.
          if (pair % 2 === 0) {
            const planned = await runPlan();
            resources = planned.program.resources;
            const verified = await runVerify();
            measured.push({ plan: planned, verify: verified, plain: await runPlain() });
          } else {
            const baseline = await runPlain();
            const verified = await runVerify();
            measured.push({ plan: await runPlan(), verify: verified, plain: baseline });
          }
          const last = measured.at(-1)!;
          options.progress(
            `[${size.toLocaleString("en")} namespaces, pair ${pair + 1}/${pairs}] plan ${formatDuration(last.plan.cpuMs)} CPU, ` +
              `verify ${formatDuration(last.verify.cpuMs)} CPU, plain ${formatDuration(last.plain.cpuMs)} CPU`,
          );
        }
        // The pull-request check on the plan against itself: tenant-proof looks every cell the plan exposes
        // up in the other side, its worst case (at 10,000 namespaces, about 9 million cells).
        const diffed = await runProcess([NETSEG, "diff", out, out, "--quiet"], () => {});
        options.progress(
          `[${size.toLocaleString("en")} namespaces] diff ${formatDuration(diffed.cpuMs)} CPU`,
        );
        results.push({ size, pairs: measured, diff: diffed });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    log(
      `Generated estates in ${options.mode ?? "clusterTier"} mode (the dev stack's VPCs, stores, sources and controllers; one namespace in ten strict, ` +
        `one in ten a workaround), ${pairs} interleaved pair${pairs === 1 ? "" : "s"} per size, each command ` +
        "in a process of its own. Medians of the runs:",
    );
    log("");
    log(
      "| namespaces | resources | plain resources: CPU | max RSS | stack's program: CPU | netseg plan: CPU | time | max RSS | netseg verify: CPU | max RSS | plan CPU per namespace |",
    );
    log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (const { size, pairs: runs } of results) {
      const of = (pick: (p: Pair) => number) => median(runs.map(pick));
      log(
        `| ${size.toLocaleString("en")} | ${runs[0]!.plan.program.resources.toLocaleString("en")} ` +
          `| ${formatDuration(of((p) => p.plain.cpuMs))} | ${mb(of((p) => p.plain.maxRssMb))} ` +
          `| ${formatDuration(of((p) => p.plan.program.cpuMs))} ` +
          `| ${formatDuration(of((p) => p.plan.cpuMs))} | ${formatDuration(of((p) => p.plan.ms))} | ${mb(of((p) => p.plan.maxRssMb))} ` +
          `| ${formatDuration(of((p) => p.verify.cpuMs))} | ${mb(of((p) => p.verify.maxRssMb))} ` +
          `| ${formatDuration(of((p) => p.plan.cpuMs) / size)} |`,
      );
    }
    log("");
    log(
      "`netseg diff` of each plan against itself, once per size (no target: shown so that a regression shows):",
    );
    log("");
    log("| namespaces | netseg diff: CPU | time | max RSS |");
    log("|---:|---:|---:|---:|");
    for (const { size, diff } of results) {
      log(
        `| ${size.toLocaleString("en")} | ${formatDuration(diff.cpuMs)} | ${formatDuration(diff.ms)} | ${mb(diff.maxRssMb)} |`,
      );
    }
    log("");
    log("Pair-by-pair ratios to the plain resources, median (lowest–highest):");
    log("");
    log("| namespaces | compared | CPU time | wall time | max RSS | target | verdict (CPU time, and RSS) |");
    log("|---:|---|---:|---:|---:|---:|---|");
    for (const { size, pairs: runs } of results) {
      const rows: [string, (p: Pair) => Run, (r: Run) => { ms: number; cpuMs: number }, number, boolean][] = [
        [
          "the stack's program (registering, in-process)",
          (p) => p.plan,
          (r) => r.program,
          PROGRAM_TARGET,
          false,
        ],
        ["netseg plan (whole process)", (p) => p.plan, (r) => r, COMMAND_TARGET, true],
        ["netseg verify (whole process)", (p) => p.verify, (r) => r, COMMAND_TARGET, true],
      ];
      for (const [what, side, part, target, rss] of rows) {
        const cpu = runs.map((p) => part(side(p)).cpuMs / part(p.plain).cpuMs);
        const wall = runs.map((p) => part(side(p)).ms / part(p.plain).ms);
        const memory = runs.map((p) => side(p).maxRssMb / p.plain.maxRssMb);
        const met = median(cpu) <= target && (!rss || median(memory) <= target);
        log(
          `| ${size.toLocaleString("en")} | ${what} | ${ratioText(cpu)} | ${ratioText(wall)} ` +
            `| ${rss ? ratioText(memory) : "–"} | ${target}× | ${met ? "met" : "missed"} |`,
        );
      }
    }
  },
};
