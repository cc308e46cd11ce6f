/**
 * The query-services contract of query-services.yaml, written in TypeScript for a service whose stack is
 * a Pulumi program. The test suite checks that both build the same contract.
 */
import { allow, contract, Peer, Pods, Port } from "../../model/contracts";

export const queryServicesChannels = contract("query-services-channels", {
  namespace: "query-services",
  description: "Query services of the transactional platform, read by the customer-facing channels.",
  rules: [
    allow(Peer.pods({ "query-services-client": "true" }, { area: "publicfrontal" }), Port.named("http")).to(
      Pods.labelled({ app: "query-api" }),
      "The channels (api, webhooks) read balances and transactions through the query API.",
      { name: "from-channels" },
    ),
  ],
  workloads: [
    { name: "query-api", labels: { app: "query-api" }, ports: [{ name: "http", containerPort: 8080 }] },
    {
      name: "query-projector",
      labels: { app: "query-projector" },
      ports: [{ name: "metrics", containerPort: 9090 }],
    },
  ],
  services: [
    { name: "query-api", selector: { app: "query-api" }, ports: [{ port: 80, targetPort: "http" }] },
  ],
});

// In the service's Pulumi program, with the service API installed (see examples/service-stack):
//
//   import { ServiceContract } from "segmentation/service";
//   new ServiceContract("query-services-channels", { contract: queryServicesChannels });
