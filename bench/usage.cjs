// Preloaded (`node --require`) into every process the plan benchmark starts: at exit, writes the process's
// own resource usage (CPU time, maximum resident set size) to the file named by NETSEG_BENCH_USAGE, so the
// benchmark measures each command as a whole, module loading included, without a platform-specific `time`.
const { writeFileSync } = require("node:fs");

const file = process.env.NETSEG_BENCH_USAGE;
if (file) {
  process.on("exit", () => writeFileSync(file, JSON.stringify(process.resourceUsage())));
}
