/**
 * The TypeScript vocabulary of contracts, after AWS CDK's `Port`/`Peer` and cdk8s-plus's connections:
 *
 *   contract("query-services-channels", {
 *     namespace: "query-services",
 *     rules: [
 *       allow(Peer.pods({ "query-services-client": "true" }, { area: "publicfrontal" }), Port.tcp(8080))
 *         .to(Pods.labelled({ app: "query-api" }), "The channels read balances."),
 *       expose(Pods.labelled({ app: "query-api" }), "Every internalservices namespace calls the API."),
 *       uses(Store.named("query-db"), "The API reads balances.", { pods: Pods.labelled({ app: "query-api" }) }),
 *     ],
 *   })
 *
 * `allow(peer, ...ports).to(myPods, why)` admits traffic to the service's pods; `allow(myPods,
 * ...ports).to(peer, why)` lets them out to a destination the area defaults deny. Values are checked when
 * they are built, with the contract file's own checks, and `contract()` hands the whole statement to the
 * file's schema: both front ends accept and refuse exactly the same contracts.
 */
import type { z } from "zod";
import { ENDPOINT_LABEL, ENDPOINT_VALUE } from "../../core/labels";
import type { Area } from "../areas";
import {
  type Contract,
  ContractError,
  type ContractPeer,
  type ContractPort,
  type Labels,
  labelsText,
  type Protocol,
  portText,
} from "./contract";
import {
  type ContractFile,
  contractFileSchema,
  contractFromFile,
  fileSchemas,
  issueFromZod,
  type ZodIssue,
} from "./file";

type FileIngressRule = NonNullable<ContractFile["ingress"]>[number];
type FileEgressRule = NonNullable<ContractFile["egress"]>[number];
type FilePeer = NonNullable<FileIngressRule["from"]>[number];
type FilePort = NonNullable<FileIngressRule["ports"]>[number];
type FileStoreUse = NonNullable<ContractFile["stores"]>[number];

/** Throws the schema's problems with `call` (how the value was written) as their path. */
function checked(schema: z.ZodType, value: unknown, call: string): void {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return;
  throw new ContractError(
    result.error.issues
      .flatMap((issue) => issueFromZod(issue as ZodIssue, schema))
      .map((issue) => ({
        ...issue,
        path: issue.path === "(file)" ? call : `${call} ${issue.path}`,
      })),
    "contract value",
  );
}

const show = (value: unknown) => JSON.stringify(value);

/** A destination port: a number, a range, or the name of a container port of the destination pods. */
export class Port {
  static readonly HTTP = Port.tcp(80);
  static readonly HTTPS = Port.tcp(443);

  private constructor(readonly spec: ContractPort) {}

  static tcp(port: number): Port {
    return Port.number("TCP", port, `Port.tcp(${port})`);
  }

  static udp(port: number): Port {
    return Port.number("UDP", port, `Port.udp(${port})`);
  }

  static sctp(port: number): Port {
    return Port.number("SCTP", port, `Port.sctp(${port})`);
  }

  static tcpRange(from: number, to: number): Port {
    return Port.range("TCP", from, to, `Port.tcpRange(${from}, ${to})`);
  }

  static udpRange(from: number, to: number): Port {
    return Port.range("UDP", from, to, `Port.udpRange(${from}, ${to})`);
  }

  /** A container port by name; only meaningful where the destination pods declare it. */
  static named(name: string, protocol: Protocol = "TCP"): Port {
    checked(fileSchemas.port, { port: name, protocol }, `Port.named(${show(name)})`);
    return new Port({ protocol, name });
  }

  private static number(protocol: Protocol, port: number, call: string): Port {
    checked(fileSchemas.port, { port, protocol }, call);
    return new Port({ protocol, port });
  }

  private static range(protocol: Protocol, from: number, to: number, call: string): Port {
    checked(fileSchemas.port, { port: from, endPort: to, protocol }, call);
    return new Port({ protocol, port: from, endPort: to });
  }

  get uniqueId(): string {
    return this.toString();
  }

  toString(): string {
    return portText(this.spec);
  }

  toFile(): FilePort {
    const { spec } = this;
    if ("name" in spec) return { port: spec.name, protocol: spec.protocol };
    return spec.endPort === undefined
      ? { port: spec.port, protocol: spec.protocol }
      : { port: spec.port, endPort: spec.endPort, protocol: spec.protocol };
  }
}

/** The other end of a rule: who connects to the service's pods, or where they connect to. */
export class Peer {
  private constructor(
    readonly spec: ContractPeer,
    private readonly file: FilePeer,
  ) {}

  /** Pods of every namespace of an area. */
  static area(area: Area): Peer {
    checked(fileSchemas.peer, { area }, `Peer.area(${show(area)})`);
    return new Peer({ kind: "area", area }, { area });
  }

  /** Every pod of one namespace. */
  static namespace(namespace: string): Peer {
    checked(fileSchemas.peer, { namespace }, `Peer.namespace(${show(namespace)})`);
    return new Peer({ kind: "namespace", namespace }, { namespace });
  }

  /**
   * Pods carrying `labels`: in an area (the seed's "all pods in a given area that have a specific label"),
   * in another namespace, or in the contract's own namespace.
   */
  static pods(labels: Labels, where: { area?: Area; namespace?: string } = {}): Peer {
    const file: FilePeer = { ...where, pods: { ...labels } };
    checked(
      fileSchemas.peer,
      file,
      `Peer.pods(${show(labels)}${Object.keys(where).length ? `, ${show(where)}` : ""})`,
    );
    const spec: ContractPeer =
      where.area !== undefined
        ? { kind: "area", area: where.area, pods: { ...labels } }
        : where.namespace !== undefined
          ? { kind: "namespace", namespace: where.namespace, pods: { ...labels } }
          : { kind: "pods", pods: { ...labels } };
    return new Peer(spec, file);
  }

  /** Addresses outside the cluster. A public range needs a reason, which lint insists on. */
  static ipv4(cidr: string, reason?: string): Peer {
    const file: FilePeer = reason === undefined ? { cidr } : { cidr, reason };
    checked(fileSchemas.peer, file, `Peer.ipv4(${show(cidr)})`);
    return new Peer({ kind: "cidr", cidr, ...(reason === undefined ? {} : { reason }) }, file);
  }

  /** Every IPv4 address, pods included. Deliberately awkward: it takes a reason, and lint still objects. */
  static anyIpv4(reason: string): Peer {
    return Peer.ipv4("0.0.0.0/0", reason);
  }

  get uniqueId(): string {
    return this.toString();
  }

  toString(): string {
    const { spec } = this;
    switch (spec.kind) {
      case "area":
        return spec.pods ? `pods ${labelsText(spec.pods)} of area ${spec.area}` : `area ${spec.area}`;
      case "namespace":
        return spec.pods
          ? `pods ${labelsText(spec.pods)} of namespace ${spec.namespace}`
          : `namespace ${spec.namespace}`;
      case "pods":
        return `pods ${labelsText(spec.pods)}`;
      case "cidr":
        return spec.cidr;
    }
  }

  toFile(): FilePeer {
    return this.file;
  }
}

/** Pods of the contract's own service, selected by the labels of their template. */
export class Pods {
  private constructor(readonly labels: Labels) {}

  static labelled(labels: Labels): Pods {
    checked(fileSchemas.labels, labels, `Pods.labelled(${show(labels)})`);
    return new Pods({ ...labels });
  }

  get uniqueId(): string {
    return labelsText(this.labels);
  }

  toString(): string {
    return `pods ${labelsText(this.labels)}`;
  }
}

/** A data store of the stack, by its name in `segmentation:dataStores`. */
export class Store {
  private constructor(readonly name: string) {}

  static named(name: string): Store {
    checked(fileSchemas.storeName, name, `Store.named(${show(name)})`);
    return new Store(name);
  }

  get uniqueId(): string {
    return this.name;
  }

  toString(): string {
    return `data store ${this.name}`;
  }
}

/** The labels a pod template carries to be an endpoint: spread them into the exposed workload's labels. */
export const ENDPOINT_LABELS: Labels = { [ENDPOINT_LABEL]: ENDPOINT_VALUE };

/** One statement of a contract: a rule or an exposure. */
export type Statement =
  | { kind: "ingress"; rule: FileIngressRule }
  | { kind: "egress"; rule: FileEgressRule }
  | { kind: "expose"; pods: Labels; why: string }
  | { kind: "store"; use: FileStoreUse };

export interface RuleOptions {
  /** Names the rendered policy `<contract>-<name>`. */
  name?: string;
}

export interface IngressStatement {
  /** The service's pods that accept the traffic, and why it is needed. */
  to(pods: Pods, why: string, options?: RuleOptions): Statement;
}

export interface EgressStatement {
  /** Where the service's pods may connect, and why. */
  to(peers: Peer | readonly Peer[], why: string, options?: RuleOptions): Statement;
}

/** Admits `peers` to the service's pods on `ports` (every port when none is given). */
export function allow(peers: Peer | readonly Peer[], ...ports: Port[]): IngressStatement;
/** Lets the service's `pods` connect on `ports` to a destination the area defaults deny. */
export function allow(pods: Pods, ...ports: Port[]): EgressStatement;
export function allow(
  source: Peer | readonly Peer[] | Pods,
  ...ports: Port[]
): IngressStatement | EgressStatement {
  const filePorts = ports.map((port) => port.toFile());
  const named = (options?: RuleOptions) => (options?.name === undefined ? {} : { name: options.name });
  if (source instanceof Pods) {
    const egress: EgressStatement = {
      to: (peers, why, options) => ({
        kind: "egress",
        rule: {
          ...named(options),
          pods: { ...source.labels },
          to: (peers instanceof Peer ? [peers] : [...peers]).map((peer) => peer.toFile()),
          ...(filePorts.length > 0 ? { ports: filePorts } : {}),
          why,
        },
      }),
    };
    return egress;
  }
  const peers = source instanceof Peer ? [source] : [...source];
  const ingress: IngressStatement = {
    to: (pods, why, options) => ({
      kind: "ingress",
      rule: {
        ...named(options),
        pods: { ...pods.labels },
        from: peers.map((peer) => peer.toFile()),
        ...(filePorts.length > 0 ? { ports: filePorts } : {}),
        why,
      },
    }),
  };
  return ingress;
}

/** Declares the pods that carry `endpoint: "true"`, which the area rules open in the strict phase. */
export function expose(pods: Pods, why: string): Statement {
  return { kind: "expose", pods: { ...pods.labels }, why };
}

export interface UseOptions {
  /** Only these pods of the service use the store. @default every pod of the namespace */
  pods?: Pods;
}

/**
 * Declares that the service's pods use a data store of the stack. It renders nothing: the store's clients
 * in the stack open it, and lint (against a stack) checks that they include these pods.
 */
export function uses(store: Store, why: string, options: UseOptions = {}): Statement {
  return {
    kind: "store",
    use: { name: store.name, ...(options.pods ? { pods: { ...options.pods.labels } } : {}), why },
  };
}

export interface ContractArgs {
  /** The namespace the service runs in. */
  namespace: string;
  description?: string;
  /** What the service allows, exposes and uses, in any order. */
  rules: readonly Statement[];
  /** The service's pods (for lint): labels and container ports of each pod template. */
  workloads?: ContractFile["workloads"];
  /** The service's Services (for lint): selector and port → targetPort. */
  services?: ContractFile["services"];
}

/** The contract as plain data, checked as a contract file would be; throws `ContractError` listing every problem. */
export function contract(name: string, args: ContractArgs): Contract {
  const pick = <K extends Statement["kind"]>(kind: K) =>
    args.rules.filter((statement): statement is Extract<Statement, { kind: K }> => statement.kind === kind);
  const file: ContractFile = {
    name,
    namespace: args.namespace,
    ...(args.description === undefined ? {} : { description: args.description }),
    ingress: pick("ingress").map((statement) => statement.rule),
    egress: pick("egress").map((statement) => statement.rule),
    expose: pick("expose").map(({ pods, why }) => ({ pods, why })),
    stores: pick("store").map((statement) => statement.use),
    ...(args.workloads === undefined ? {} : { workloads: args.workloads }),
    ...(args.services === undefined ? {} : { services: args.services }),
  };
  const result = contractFileSchema.safeParse(file, { reportInput: true });
  if (!result.success) {
    throw new ContractError(result.error.issues.flatMap((issue) => issueFromZod(issue as ZodIssue)));
  }
  return contractFromFile(result.data);
}
