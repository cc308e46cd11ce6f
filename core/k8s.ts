/**
 * Kubernetes object shapes the model renders and the evaluator reads, from the maintained
 * `kubernetes-types` package (the API's own types), re-exported so the rest of the code has one import.
 */
export type { Namespace } from "kubernetes-types/core/v1";
export type { LabelSelector, LabelSelectorRequirement, ObjectMeta } from "kubernetes-types/meta/v1";
export type {
  IPBlock,
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  NetworkPolicySpec,
} from "kubernetes-types/networking/v1";
