/** Contract lint as the tests drive it: a contract file written as an object, parsed, then linted. */
import assert from "node:assert/strict";
import { type LintReport, lintContract } from "../../analysis/contractLint";
import { formatProblem } from "../../core/problems";
import { type Finding, parseContractFile, type StackContext } from "../../model/contracts";

export type ContractFileValues = Record<string, any>;

/** Lints `file` as `netseg contract lint` would; the file itself must parse. */
export function lintFile(file: ContractFileValues, stack?: StackContext): LintReport {
  const parsed = parseContractFile(JSON.stringify(file));
  assert.ok(parsed.contract, parsed.issues.map(formatProblem).join("\n"));
  return lintContract(parsed.contract, stack);
}

/** The findings one per line, for assertion messages. */
export const showFindings = (findings: readonly Finding[]) =>
  findings.map((f) => `${f.severity} ${f.check} ${formatProblem(f)}`).join("\n") || "(no findings)";

/** A contract of the ledger service in `payments` (backoffice, migration phase in dev), with `edit` applied. */
export function ledger(edit: (file: ContractFileValues) => void = () => {}): ContractFileValues {
  const file: ContractFileValues = {
    name: "ledger",
    namespace: "payments",
    ingress: [
      {
        pods: { app: "ledger" },
        from: [{ namespace: "payments-query-service", pods: { app: "payments-projector" } }],
        ports: [8080],
        why: "The projector reads ledger entries.",
      },
    ],
  };
  edit(file);
  return file;
}
