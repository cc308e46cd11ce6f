/**
 * The AWS managed rule groups a web ACL can reference (vendor `AWS`), as AWS publishes them in the WAF
 * developer guide's "AWS Managed Rules rule groups list":
 * https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
 * with one page per category:
 *   https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html
 *   https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-use-case.html
 *   https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-ip-rep.html
 *   https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-anti-ddos.html
 *   https://docs.aws.amazon.com/waf/latest/developerguide/waf-application-integration-with-AMRs.html
 *
 * A name outside this list makes AWS refuse the web ACL at apply time, after the rest of the stack has
 * changed; the config check refuses it before anything is declared. When AWS adds a group, add it here.
 */
export const AWS_MANAGED_RULE_GROUPS = [
  // Baseline
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesAdminProtectionRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  // Use-case specific
  "AWSManagedRulesSQLiRuleSet",
  "AWSManagedRulesLinuxRuleSet",
  "AWSManagedRulesUnixRuleSet",
  "AWSManagedRulesWindowsRuleSet",
  "AWSManagedRulesPHPRuleSet",
  "AWSManagedRulesWordPressRuleSet",
  // IP reputation
  "AWSManagedRulesAmazonIpReputationList",
  "AWSManagedRulesAnonymousIpList",
  // Intelligent threat mitigation (charged per request on top of the web ACL)
  "AWSManagedRulesBotControlRuleSet",
  "AWSManagedRulesATPRuleSet",
  "AWSManagedRulesACFPRuleSet",
  "AWSManagedRulesAntiDDoSRuleSet",
] as const;

export const AWS_MANAGED_RULE_GROUPS_SOURCE =
  "https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html";
