/**
 * `netseg explain --from NS/POD|IP --to NS/POD|IP --port P`: one connection of the probe estate, with the
 * verdict and the policies behind it. `--to STORE` asks about a data store across every layer.
 */
import { type ExplainRequest, explainConnection } from "../plan/explain";
import { loadPlan, type PlanSourceOptions } from "../plan/load";
import { progressOn, SILENT } from "../plan/progress";
import type { NetsegCommand } from "./command";

export const explain: NetsegCommand = (program, io) => {
  program
    .command("explain")
    .description("decide one connection of a stack's probe estate and show the policies behind the verdict")
    .requiredOption("-f, --from <endpoint>", "the source: a stand-in pod as namespace/pod, or an IP address")
    .requiredOption(
      "-t, --to <endpoint>",
      "the destination: namespace/pod, an IP address, or a data store's name (answered across every layer)",
    )
    .option(
      "--port <port>",
      "a port number, or the name of a container port of the destination (a store: its first port)",
    )
    .option("--pod-labels <labels>", "labels of the source pod as key=value,... when --to names a data store")
    .option("--protocol <protocol>", "TCP, UDP or SCTP (default: TCP, or the named port's)")
    .option("-s, --stack <name>", "the stack, planned in memory from Pulumi.<name>.yaml (default: dev)")
    .option("-c, --config <file>", "plan this stack file instead")
    .option("-p, --plan <dir>", "read a plan directory written by netseg plan")
    .option("-q, --quiet", "print no progress on standard error")
    .action(async (options: PlanSourceOptions & ExplainRequest & { quiet?: boolean }) => {
      const progress = options.quiet ? SILENT : progressOn(io.stderr, "netseg explain");
      const plan = await loadPlan(options, progress);
      io.stdout(explainConnection(plan, options));
    });
};
