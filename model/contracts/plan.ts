/**
 * The gate between a contract and the cluster: render only what lint finds no error in. Both `netseg
 * contract render` and the `ServiceContract` component plan through here, so a contract the CLI refuses
 * the stack refuses too. Checks that need the stack's config stay with `netseg contract lint`.
 */
import type { PolicySpec } from "../policy";
import { type Contract, ContractError } from "./contract";
import { fileFindings } from "./lint";
import { renderContract } from "./render";

/** The contract's policies; throws `ContractError` with every error lint finds in the contract alone. */
export function planContract(contract: Contract): PolicySpec[] {
  const errors = fileFindings(contract).filter((finding) => finding.severity === "error");
  if (errors.length > 0) {
    throw new ContractError(
      errors.map(({ path, value, problem, fix, check }) => ({ path, value, rule: check, problem, fix })),
    );
  }
  return renderContract(contract);
}
