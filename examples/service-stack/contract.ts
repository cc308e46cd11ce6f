// The payments query service's contract, in the vocabulary the segmentation publishes for services.
import { allow, contract, Peer, Pods, Port } from "segmentation/service";

export const paymentsQuery = contract("payments-query-service", {
  namespace: "payments-query-service",
  description: "Reads payments for the customer-facing channels.",
  rules: [
    allow(Peer.pods({ "payments-query-client": "true" }, { area: "publicfrontal" }), Port.named("http")).to(
      Pods.labelled({ app: "payments-query-api" }),
      "The channels read payments through the query API.",
      { name: "from-channels" },
    ),
  ],
  workloads: [
    {
      name: "payments-query-api",
      labels: { app: "payments-query-api" },
      ports: [{ name: "http", containerPort: 8080 }],
    },
  ],
});
