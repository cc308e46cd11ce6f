/**
 * `netseg probe FILE.json`: decides connections with Kubernetes NetworkPolicy semantics and the
 * cluster-tier policies (Admin and Baseline tiers) given next to them (DESIGN.md section 7). The output
 * repeats each probe as given, in input order, with `verdict` and `reason`, so other tools can zip it with
 * their own expectations. Warnings (what the file holds but netseg does not evaluate) go to standard error.
 */
import { answerProbeFileWithWarnings, formatInputIssue } from "../../evaluator";
import { type NetsegCommand, readJson } from "./command";

export const probe: NetsegCommand = (program, io) => {
  program
    .command("probe")
    .description(
      "decide connections between pods and addresses with NetworkPolicy and cluster-tier policy semantics",
    )
    .argument("<file>", 'JSON with namespaces, pods, policies and probes; "-" reads standard input')
    .action((file: string) => {
      const { answers, warnings } = answerProbeFileWithWarnings(readJson(io, file));
      for (const warning of warnings) io.stderr(`netseg: warning: ${formatInputIssue(warning)}\n`);
      const output = answers.map(({ probe, result }) => ({
        ...probe,
        verdict: result.verdict,
        reason: result.reason,
      }));
      io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    });
};
