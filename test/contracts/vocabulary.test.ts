import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { queryServicesChannels } from "../../examples/contracts/query-services";
import {
  allow,
  ContractError,
  contract,
  ENDPOINT_LABELS,
  expose,
  Peer,
  Pods,
  Port,
  parseContractFile,
} from "../../model/contracts";
import { ROOT } from "../support/stack";

/** Asserts `build` throws a ContractError with one issue matching `message`. */
function refuses(build: () => unknown, message: RegExp): void {
  assert.throws(build, (error: unknown) => {
    assert.ok(error instanceof ContractError, String(error));
    assert.equal(error.problems.length, 1, error.message);
    assert.match(error.message, message);
    return true;
  });
}

describe("the contract vocabulary", () => {
  describe("checks values when they are built", () => {
    const cases: [string, () => unknown, RegExp][] = [
      [
        "a CIDR without mask",
        () => Peer.ipv4("10.0.0.1"),
        /Peer\.ipv4\("10\.0\.0\.1"\) cidr: "10\.0\.0\.1" has no mask; did you mean "10\.0\.0\.1\/32"\?/,
      ],
      [
        "a CIDR with host bits",
        () => Peer.ipv4("172.20.8.7/24"),
        /host bits set; use the network address "172\.20\.8\.0\/24"/,
      ],
      ["an IPv6 range", () => Peer.ipv4("2001:db8::/32"), /is IPv6/],
      [
        "a misspelt area",
        () => Peer.area("backofice" as never),
        /"backofice" is not an area; did you mean "backoffice"\?/,
      ],
      [
        "a namespace Kubernetes would refuse",
        () => Peer.namespace("Payments"),
        /"Payments" is not a DNS-1123 label/,
      ],
      [
        "a label key Kubernetes would refuse",
        () => Pods.labelled({ "app/": "x" }),
        /"app\/" has a prefix|is not a valid label name/,
      ],
      [
        "a label value Kubernetes would refuse",
        () => Peer.pods({ app: "a b" }),
        /"a b" is not a valid label value/,
      ],
      [
        "a port out of range",
        () => Port.tcp(70000),
        /Port\.tcp\(70000\) port: 70000 is out of range; use at most 65535/,
      ],
      ["port zero", () => Port.udp(0), /out of range/],
      [
        "a range that ends below its start",
        () => Port.tcpRange(9000, 8000),
        /endPort: 8000 is below port 9000/,
      ],
      ["a port name that is a number", () => Port.named("8080"), /"8080" is a number written as text/],
      ["a port name with capitals", () => Port.named("HTTP"), /is not a port name/],
    ];
    for (const [what, build, message] of cases) it(`refuses ${what}`, () => refuses(build, message));
  });

  it("gives every value an id and a text that say what it is", () => {
    assert.equal(Port.tcp(8080).toString(), "TCP/8080");
    assert.equal(Port.udpRange(5000, 5010).toString(), "UDP/5000-5010");
    assert.equal(Port.named("http").uniqueId, "TCP/http");
    assert.equal(Port.HTTPS.toString(), "TCP/443");
    assert.equal(Peer.area("backoffice").toString(), "area backoffice");
    assert.equal(
      Peer.pods({ "query-services-client": "true" }, { area: "publicfrontal" }).toString(),
      "pods query-services-client=true of area publicfrontal",
    );
    assert.equal(Peer.pods({ app: "x" }, { namespace: "api" }).uniqueId, "pods app=x of namespace api");
    assert.equal(Peer.ipv4("192.0.2.0/24", "offices").toString(), "192.0.2.0/24");
    assert.equal(Pods.labelled({ b: "2", a: "1" }).uniqueId, "a=1,b=2");
    // Equal values, equal ids: the id is a content key.
    assert.equal(Peer.namespace("api").uniqueId, Peer.namespace("api").uniqueId);
    assert.notEqual(Port.tcp(53).uniqueId, Port.udp(53).uniqueId);
  });

  it("turns allow(peer).to(my pods) into ingress and allow(my pods).to(peer) into egress", () => {
    const built = contract("ledger", {
      namespace: "payments",
      rules: [
        allow(Peer.area("backoffice"), Port.tcp(8080)).to(Pods.labelled({ app: "ledger" }), "Reads."),
        allow(Pods.labelled({ app: "ledger-worker" }), Port.HTTPS).to(
          [Peer.ipv4("172.20.8.0/24", "Partner VPN."), Peer.ipv4("172.20.9.0/24", "Partner VPN, standby.")],
          "Settlement files.",
          { name: "to-partner" },
        ),
        expose(Pods.labelled({ app: "ledger" }), "Backoffice reads balances."),
      ],
    });
    assert.deepEqual(built.ingress, [
      {
        direction: "ingress",
        pods: { app: "ledger" },
        peers: [{ kind: "area", area: "backoffice" }],
        ports: [{ protocol: "TCP", port: 8080 }],
        why: "Reads.",
      },
    ]);
    assert.deepEqual(built.egress, [
      {
        direction: "egress",
        name: "to-partner",
        pods: { app: "ledger-worker" },
        peers: [
          { kind: "cidr", cidr: "172.20.8.0/24", reason: "Partner VPN." },
          { kind: "cidr", cidr: "172.20.9.0/24", reason: "Partner VPN, standby." },
        ],
        ports: [{ protocol: "TCP", port: 443 }],
        why: "Settlement files.",
      },
    ]);
    assert.deepEqual(built.expose, [{ pods: { app: "ledger" }, why: "Backoffice reads balances." }]);
  });

  it("checks the whole contract as a contract file would be checked", () => {
    refuses(
      () => contract("netseg-ledger", { namespace: "payments", rules: [] }),
      /name: "netseg-ledger" would name its policies netseg-\*, which the platform reserves/,
    );
    refuses(
      () =>
        contract("ledger", {
          namespace: "payments",
          rules: [],
          workloads: [{ name: "ledger", labels: { app: "ledger" }, ports: [{ containerPort: 0 }] }],
        }),
      /workloads\[0\]\.ports\[0\]\.containerPort: 0 is out of range/,
    );
  });

  it("builds from TypeScript the same contract as the example file", () => {
    const file = readFileSync(join(ROOT, "examples", "contracts", "query-services.yaml"), "utf8");
    assert.deepEqual(queryServicesChannels, parseContractFile(file).contract);
  });

  it("offers the endpoint label for pod templates", () => {
    assert.deepEqual(ENDPOINT_LABELS, { endpoint: "true" });
  });
});
