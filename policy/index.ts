// The CrossGuard pack for the segmentation stack: `pulumi preview --policy-pack policy`. Each policy and why
// it exists is in policies.ts; constructing the pack starts the analyzer the Pulumi CLI talks to.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("segmentation", {
  description:
    "Guards what the runtime mocks cannot see: protection of namespaces, public ingress, area labels.",
  policies,
});
