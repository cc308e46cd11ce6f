/**
 * `netseg plan [--stack NAME] [--config FILE] [--out DIR]`: runs the real program offline under Pulumi's
 * mocks with the stack's config and writes the plan directory (see `cli/plan/files.ts`). No account, no
 * cluster, no network: the README's main job on a fresh machine.
 */
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { Option } from "commander";
import { writePlanDirectory } from "../plan/files";
import { count, missingStack, PROJECT_ROOT, planStack, programAt, stackSource } from "../plan/plan";
import { progressOn, SILENT } from "../plan/progress";
import { renderPlan } from "../plan/render";
import { CommandError, type NetsegCommand } from "./command";

interface PlanOptions {
  stack?: string;
  config?: string;
  out?: string;
  quiet?: boolean;
  root?: string;
}

/** A path as the user would type it from here: relative below the cwd, absolute elsewhere. */
function shownPath(path: string): string {
  const relativePath = relative(process.cwd(), path);
  return relativePath === "" ? "." : relativePath.startsWith("..") ? path : relativePath;
}

export const plan: NetsegCommand = (program, io) => {
  program
    .command("plan")
    .description(
      "render a stack offline: Kubernetes objects, Helm values, AWS resources, and who reaches whom (report and heat map)",
    )
    .option("-s, --stack <name>", "the stack to plan, from Pulumi.<name>.yaml in the project (default: dev)")
    .option(
      "-c, --config <file>",
      "plan this stack file instead (the stack is named after Pulumi.<name>.yaml)",
    )
    .option("-o, --out <dir>", "where to write the plan; its contents are replaced (default: out/<stack>)")
    .option("-q, --quiet", "print no progress on standard error")
    // Plans another checkout of the project with this netseg: how `netseg diff` plans a git ref from before
    // `netseg plan` existed.
    .addOption(new Option("--root <dir>", "plan the project checked out at this directory").hideHelp())
    .action(async (options: PlanOptions) => {
      const root = options.root === undefined ? PROJECT_ROOT : resolve(options.root);
      const source = stackSource(options, root);
      // Checked before the first progress line, which would otherwise name a file that does not exist.
      if (!existsSync(source.file)) throw new CommandError(missingStack(source));
      const progress = options.quiet ? SILENT : progressOn(io.stderr, "netseg plan");
      progress.step(`stack ${source.stack} from ${shownPath(source.file)}`);
      const stackPlan = await planStack(source, progress, programAt(root));
      const { files, analysis } = renderPlan(stackPlan, progress);
      const out = options.out === undefined ? resolve(root, "out", source.stack) : resolve(options.out);
      writePlanDirectory(out, files);
      const shown = shownPath(out);
      progress.step(`${count(files.length, "file")} written to ${shown}`);

      const namespaces = files.filter((f) => f.path.startsWith("kubernetes/")).length;
      const design = analysis.design;
      io.stdout(
        [
          `Plan of stack ${source.stack} in ${shown}/`,
          `  kubernetes/          ${count(namespaces, "file")}, ${count(stackPlan.manifests.length, "object")}`,
          `  helm/                ${count(files.filter((f) => f.path.startsWith("helm/")).length, "release")}`,
          `  aws/resources.json   ${count(JSON.parse(files.find((f) => f.path === "aws/resources.json")!.content).length, "resource")}`,
          `  resources.json       ${count(stackPlan.resources.length, "resource")} in all`,
          "  reachability.md, reachability.svg, reachability.html",
          `Design check: ${count(design.cellCount, "cell")}, ${
            design.violations.length === 0
              ? "no violations"
              : `${count(design.violations.length, "violation")} (netseg verify --plan ${shown} lists them)`
          }.`,
          "",
        ].join("\n"),
      );
    });
};
