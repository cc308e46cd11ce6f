/**
 * The NetworkPolicy evaluator: Kubernetes NetworkPolicy semantics over an estate of namespaces, pods and
 * policies, for one connection (`probe`) or all of them (`matrix`). Pure: no Pulumi, no cluster.
 */
export { InputError, type InputIssue } from "./errors";
export { answerProbeFile, NetworkPolicyEvaluator, type ProbeAnswer } from "./evaluate";
export { type ProbeFile, parseProbeFile, validateEstate } from "./input";
export { type MatrixCounts, ReachabilityMatrix } from "./matrix";
export { connectionText, ruleText } from "./reason";
export type {
  ContainerPort,
  Direction,
  Endpoint,
  Estate,
  IpEndpoint,
  NamespaceInfo,
  PodEndpoint,
  PodInfo,
  PortSpec,
  Probe,
  ProbeResult,
  Protocol,
  RuleRef,
  SideVerdict,
} from "./types";
export { PROTOCOLS } from "./types";
