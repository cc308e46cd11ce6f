/**
 * Plans of git refs for `netseg diff`: the ref is checked out into a temporary `git worktree` (the project's
 * `node_modules` linked in, so nothing is installed), planned there by its own `netseg plan`, and the
 * worktree removed again, whatever happens. A ref from before `netseg plan` existed is planned by this
 * netseg, running that checkout's program.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandError } from "../commands/command";
import { readPlanDirectory } from "./files";
import { type Plan, PROJECT_ROOT } from "./plan";
import type { Progress } from "./progress";

function git(root: string, args: readonly string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync("git", ["-C", root, ...args], { encoding: "utf8" });
  return { ok: result.status === 0, stdout: result.stdout ?? "", stderr: result.stderr ?? "" };
}

/** The commit a ref names in the project's repository, or undefined when it names none. */
export function commitOf(ref: string, root = PROJECT_ROOT): string | undefined {
  if (ref.startsWith("-")) return undefined;
  const result = git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  return result.ok ? result.stdout.trim() : undefined;
}

export function planGitRef(
  ref: string,
  commit: string,
  stack: string,
  progress: Progress,
  root = PROJECT_ROOT,
): Plan {
  const stackFile = `Pulumi.${stack}.yaml`;
  if (!git(root, ["cat-file", "-e", `${commit}:${stackFile}`]).ok) {
    throw new CommandError(`${ref} has no ${stackFile}: stack ${stack} does not exist there yet`);
  }
  const scratch = mkdtempSync(join(tmpdir(), "netseg-diff-"));
  const checkout = join(scratch, "checkout");
  const out = join(scratch, "plan");
  try {
    const added = git(root, ["worktree", "add", "--detach", "--quiet", checkout, commit]);
    if (!added.ok) throw new CommandError(`cannot check ${ref} out: ${added.stderr.trim()}`, 1);
    symlinkSync(realpathSync(join(root, "node_modules")), join(checkout, "node_modules"), "dir");
    const ownPlan = existsSync(join(checkout, "cli", "commands", "plan.ts"));
    const args = ownPlan
      ? [join(checkout, "bin", "netseg"), "plan", "--stack", stack, "--out", out, "--quiet"]
      : [join(root, "bin", "netseg"), "plan", "--root", checkout, "--stack", stack, "--out", out, "--quiet"];
    progress.step(`planning ${ref} (${commit.slice(0, 12)}) in a temporary worktree`);
    const result = spawnSync(process.execPath, args, { cwd: checkout, encoding: "utf8" });
    if (result.status !== 0) {
      const why = (result.stderr || result.error?.message || "").trim();
      throw new CommandError(`planning ${ref} failed:\n${why}`, result.status === 2 ? 2 : 1);
    }
    return readPlanDirectory(out);
  } finally {
    if (existsSync(checkout)) git(root, ["worktree", "remove", "--force", checkout]);
    rmSync(scratch, { recursive: true, force: true });
    git(root, ["worktree", "prune"]);
  }
}
