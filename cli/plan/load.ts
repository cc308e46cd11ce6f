/** Where `verify` and `explain` get a plan: a stack planned in memory, or a plan directory. */
import { resolve } from "node:path";
import { CommandError } from "../commands/command";
import { readPlanDirectory } from "./files";
import { type Plan, planStack, stackSource } from "./plan";
import type { Progress } from "./progress";

export interface PlanSourceOptions {
  stack?: string;
  config?: string;
  plan?: string;
}

export async function loadPlan(options: PlanSourceOptions, progress: Progress): Promise<Plan> {
  if (options.plan !== undefined) {
    if (options.stack !== undefined || options.config !== undefined) {
      throw new CommandError(
        "give either --plan or --stack/--config: a plan directory already names its stack",
      );
    }
    const plan = readPlanDirectory(resolve(options.plan));
    progress.step(`plan of stack ${plan.stack || "(unknown)"} read from ${options.plan}`);
    return plan;
  }
  return planStack(stackSource(options), progress);
}
