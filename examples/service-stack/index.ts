// The service's Pulumi program: its contract's NetworkPolicies, declared from its own stack.
import { ServiceContract } from "segmentation/service";
import { paymentsQuery } from "./contract";

const declared = new ServiceContract("payments-query-service", { contract: paymentsQuery });

export const policyNames = declared.policyNames;
