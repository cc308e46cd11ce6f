/**
 * The NetworkPolicy evaluator: Kubernetes NetworkPolicy semantics over an estate of namespaces, pods and
 * policies, for one connection (`probe`) or all of them (`matrix`). Pure: no Pulumi, no cluster.
 */

export { CLUSTER_TIER_FLAVOURS, isClusterTierObject } from "./clusterInput";
export { formatInputIssue, formatInputIssues, InputError, type InputIssue } from "./errors";
export {
  answerProbeFile,
  answerProbeFileWithWarnings,
  NetworkPolicyEvaluator,
  type ProbeAnswer,
  type ProbeFileAnswers,
} from "./evaluate";
export { type CheckedEstate, checkEstate, type ProbeFile, parseProbeFile, validateEstate } from "./input";
export { type MatrixCounts, ReachabilityMatrix } from "./matrix";
export { connectionText, ruleText, tierRuleText } from "./reason";
export type {
  ClusterPeer,
  ClusterPolicy,
  ClusterPolicyKind,
  ClusterPort,
  ClusterRule,
  ClusterSelection,
  ClusterTierManifest,
  ContainerPort,
  DecidingTier,
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
  Tier,
  TierAction,
  TierRuleRef,
} from "./types";
export { PROTOCOLS } from "./types";
