/**
 * `netseg probe FILE.json`: decides connections with Kubernetes NetworkPolicy semantics (DESIGN.md
 * section 7). The output repeats each probe as given, in input order, with `verdict` and `reason`, so
 * other tools can zip it with their own expectations.
 */
import { answerProbeFile } from "../../evaluator";
import { type NetsegCommand, readJson } from "./command";

export const probe: NetsegCommand = (program, io) => {
  program
    .command("probe")
    .description("decide connections between pods and addresses with Kubernetes NetworkPolicy semantics")
    .argument("<file>", 'JSON with namespaces, pods, policies and probes; "-" reads standard input')
    .action((file: string) => {
      const answers = answerProbeFile(readJson(io, file)).map(({ probe, result }) => ({
        ...probe,
        verdict: result.verdict,
        reason: result.reason,
      }));
      io.stdout(`${JSON.stringify(answers, null, 2)}\n`);
    });
};
