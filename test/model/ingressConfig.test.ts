import assert from "node:assert/strict";
import { formatProblem } from "../../core/problems";
import { checkConfig, parseConfig } from "../../model/config";
import { rawConfigOf } from "../../model/stackFile";
import { devConfig, editedConfig } from "../support/stack";

type Values = Record<string, any>;

const CERTIFICATE = "arn:aws:acm:eu-west-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";

const CASES: { name: string; edit: (v: Values) => void; path: string; message: RegExp }[] = [
  {
    name: "rejects a non-public controller with an empty allowlist",
    edit: (v) => (v.ingress.backoffice = { ...v.ingress.backoffice, sources: [], natGatewaysOf: [] }),
    path: "segmentation:ingress.backoffice.sources",
    message: /is empty; an empty allowlist on a load balancer admits the whole internet/,
  },
  {
    name: "rejects a non-public controller whose source is the whole internet",
    edit: (v) => {
      v.sources.anywhere = ["0.0.0.0/0"];
      v.ingress.internalservices.sources.push("anywhere");
    },
    path: "segmentation:ingress.internalservices.sources[1]",
    message: /contains 0\.0\.0\.0\/0, which opens the internalservices controller/,
  },
  {
    name: "rejects an unknown source",
    edit: (v) => (v.ingress.internalservices.sources = ["vpnIt3"]),
    path: "segmentation:ingress.internalservices.sources[0]",
    message: /"vpnIt3" is not a source in segmentation:sources/,
  },
  {
    name: "rejects a public controller without WAF rule groups",
    edit: (v) => delete v.ingress.publicfrontal.wafManagedRuleGroups,
    path: "segmentation:ingress.publicfrontal.wafManagedRuleGroups",
    message: /would let every request through unfiltered/,
  },
  {
    name: "rejects a public controller without a certificate for its ALB",
    edit: (v) => (v.ingress.publicfrontal.certificateArns = []),
    path: "segmentation:ingress.publicfrontal.certificateArns",
    message: /needs a certificate to serve HTTPS/,
  },
  {
    name: "rejects WAF rule groups on a controller behind an NLB",
    edit: (v) => (v.ingress.backoffice.wafManagedRuleGroups = ["AWSManagedRulesCommonRuleSet"]),
    path: "segmentation:ingress.backoffice.wafManagedRuleGroups",
    message: /cannot carry a WAF/,
  },
  {
    name: "rejects a certificate on a controller behind an NLB",
    edit: (v) => (v.ingress.internalservices.certificateArns = [CERTIFICATE]),
    path: "segmentation:ingress.internalservices.certificateArns",
    message: /passes TLS through/,
  },
  {
    name: "rejects a certificate ARN that is not ACM's",
    edit: (v) =>
      (v.ingress.publicfrontal.certificateArns = ["arn:aws:iam::111111111111:server-certificate/x"]),
    path: "segmentation:ingress.publicfrontal.certificateArns[0]",
    message: /is not an ACM certificate ARN/,
  },
];

describe("ingress controller config", () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      const { issues } = checkConfig(rawConfigOf(editedConfig(testCase.edit)));
      const lines = issues.map(formatProblem);
      assert.equal(issues.length, 1, `expected one problem, got:\n${lines.join("\n")}`);
      assert.equal(issues[0]?.path, testCase.path);
      assert.match(lines[0] ?? "", testCase.message);
    });
  }

  it("keeps the public controller's certificates in the order given, the first being the ALB's default", () => {
    const second = CERTIFICATE.replace("0b1c", "0a1c");
    const config = parseConfig(
      rawConfigOf(editedConfig((v) => (v.ingress.publicfrontal.certificateArns = [CERTIFICATE, second]))),
    );
    assert.deepEqual(config.ingress.find((c) => c.area === "publicfrontal")?.certificateArns, [
      CERTIFICATE,
      second,
    ]);
  });

  it("gives controllers without certificates an empty list", () => {
    const config = parseConfig(rawConfigOf(devConfig()));
    assert.deepEqual(config.ingress.find((c) => c.area === "backoffice")?.certificateArns, []);
  });
});
