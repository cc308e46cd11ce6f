/**
 * The contract file: YAML that teams deploying with Helm keep next to their chart, parsed with one zod
 * schema into the same `Contract` the TypeScript vocabulary builds. The published JSON schema
 * (`schemas/contract.schema.json`) is generated from this schema, so editors, CI validators and `netseg`
 * agree on the shape. The JSON schema carries the shape and the syntax of each value; the checks a regular
 * expression cannot make (a CIDR's host bits, a range's order) run here, each with its own fix.
 */
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { checkIpv4Cidr } from "../../core/cidr";
import { labelKeyProblem, labelValueProblem, namespaceNameProblem } from "../../core/labels";
import { AREAS } from "../areas";
import { propertyPath } from "../issues";
import { RESERVED_POLICY_NAME_PREFIX } from "../labelIntegrity";
import { issuesFromZod, type ZodIssue } from "../zodIssues";
import {
  type Contract,
  type ContractIssue,
  type ContractPeer,
  type ContractPort,
  type ContractRule,
  type Direction,
  type Labels,
  PROTOCOLS,
} from "./contract";

function custom(ctx: z.RefinementCtx, input: unknown, message: string, fix: string, path?: PropertyKey[]) {
  ctx.addIssue({ code: "custom", message, input, params: { fix }, ...(path ? { path } : {}) });
}

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const LABEL_KEY =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
const LABEL_VALUE = "^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$";
const PORT_NAME = "^(?=.*[a-z])[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$";
const CIDR = "^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$";

const text = (description: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      if (value.trim() === "") custom(ctx, value, "is empty", "say it in a sentence");
    })
    .meta({ minLength: 1, description });

const dnsLabel = (description: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      const problem = namespaceNameProblem(value);
      if (problem) custom(ctx, value, problem, 'use lower-case letters, digits and "-", e.g. "query-api"');
    })
    .meta({ pattern: DNS_LABEL, maxLength: 63, description });

const labels = (description: string) =>
  z
    .record(z.string(), z.string())
    .superRefine((value, ctx) => {
      for (const [key, labelValue] of Object.entries(value)) {
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) custom(ctx, key, keyProblem, 'use a key such as "app" or "example.com/role"', [key]);
        const valueProblem = labelValueProblem(labelValue);
        if (valueProblem) {
          custom(ctx, labelValue, valueProblem, "keep to letters, digits, '-', '_' and '.'", [key]);
        }
      }
    })
    .meta({
      description,
      propertyNames: { pattern: LABEL_KEY, maxLength: 317 },
      additionalProperties: { type: "string", pattern: LABEL_VALUE, maxLength: 63 },
    });

const portNumber = z.int().min(1).max(65535);

const portName = z
  .string()
  .superRefine((value, ctx) => {
    if (/^\d+$/.test(value)) {
      custom(ctx, value, "is a number written as text", `write ${value} without quotes`);
    } else if (!new RegExp(PORT_NAME).test(value) || value.includes("--")) {
      custom(
        ctx,
        value,
        "is not a port name (at most 15 lower-case letters, digits and '-', with at least one letter)",
        'use the name of a container port, e.g. "http", or its number',
      );
    }
  })
  .meta({ pattern: PORT_NAME, maxLength: 15 });

const protocol = z.enum(PROTOCOLS);

const portObject = z
  .strictObject({
    port: z.union([portNumber, portName]).meta({ description: "A container port number or name." }),
    endPort: portNumber.optional().meta({ description: "Last port of a range that starts at `port`." }),
    protocol: protocol.optional().meta({ description: "TCP (default), UDP or SCTP." }),
  })
  .superRefine((value, ctx) => {
    if (value.endPort === undefined) return;
    if (typeof value.port === "string") {
      custom(ctx, value.endPort, "cannot follow a named port", "give the range as numbers", ["endPort"]);
    } else if (value.endPort < value.port) {
      custom(ctx, value.endPort, `is below port ${value.port}`, "make endPort the last port of the range", [
        "endPort",
      ]);
    }
  });

const port = z
  .union([portNumber, portName, portObject])
  .meta({ description: "A port number (TCP), a container port's name, or {port, endPort, protocol}." });

const cidr = z
  .string()
  .superRefine((value, ctx) => {
    const checked = checkIpv4Cidr(value);
    if (!checked.ok) custom(ctx, value, checked.error.problem, checked.error.fix);
  })
  .meta({ pattern: CIDR, description: "An IPv4 range outside the cluster, e.g. 192.0.2.0/24." });

const peer = z
  .strictObject({
    area: z.enum(AREAS).optional().meta({ description: "Pods of every namespace of this area." }),
    namespace: dnsLabel("Pods of this namespace.").optional(),
    pods: labels(
      "Only pods carrying these labels: in the area or namespace given, else in the contract's namespace.",
    ).optional(),
    cidr: cidr.optional(),
    reason: text("Why addresses of `cidr` are trusted; required for public ranges.").optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = (["area", "namespace", "cidr"] as const).filter((key) => value[key] !== undefined);
    if (kinds.length > 1) {
      custom(
        ctx,
        value[kinds[1]!],
        `cannot be combined with ${kinds[0]} in one peer`,
        `keep one of area, namespace and cidr; list two peers if both are meant`,
        [kinds[1]!],
      );
    }
    if (value.cidr !== undefined && value.pods !== undefined) {
      custom(
        ctx,
        value.pods,
        "cannot be combined with cidr",
        "pods are selected by labels, addresses by cidr",
        ["pods"],
      );
    }
    if (value.reason !== undefined && value.cidr === undefined) {
      custom(ctx, value.reason, "only explains a cidr", "remove it, or add the cidr it explains", ["reason"]);
    }
    if (kinds.length === 0 && value.pods === undefined) {
      custom(ctx, value, "names no peer", "give one of area, namespace, pods or cidr");
    }
  })
  .meta({
    description:
      "Who is at the other end: {area, pods?}, {namespace, pods?}, {pods} (the contract's namespace) or {cidr, reason}.",
    anyOf: [
      { required: ["area"] },
      { required: ["namespace"] },
      { required: ["pods"] },
      { required: ["cidr"] },
    ],
    // The same fields the checks above name: the second of two kinds, pods next to a cidr, a stray reason.
    dependentSchemas: {
      area: { properties: { namespace: false, cidr: false } },
      namespace: { properties: { cidr: false } },
      cidr: { properties: { pods: false } },
    },
    if: { not: { required: ["cidr"] } },
    // biome-ignore lint/suspicious/noThenProperty: the JSON-schema keyword, read by validators, never awaited
    then: { properties: { reason: false } },
  });

const ruleFields = {
  name: dnsLabel(
    "Names the rendered NetworkPolicy `<contract>-<name>`; derived from the first peer when absent.",
  ).optional(),
  pods: labels(
    "The contract's pods the rule is about. Required: an empty selector means every pod.",
  ).optional(),
  ports: z.array(port).optional().meta({ description: "Destination ports; every port when absent." }),
  why: text("Why the traffic is needed; becomes the policy's description."),
};

const ingressRule = z.strictObject({
  ...ruleFields,
  from: z.array(peer).optional().meta({ description: "Who may connect. Required: no peers means everyone." }),
});

const egressRule = z.strictObject({
  ...ruleFields,
  to: z
    .array(peer)
    .optional()
    .meta({ description: "What the pods may reach. Required: no peers means anywhere." }),
});

const exposure = z.strictObject({
  pods: labels('Pods that carry endpoint: "true" in their template.'),
  why: text("Who needs the endpoint and what for."),
});

// The stack's own rule for a store's name (model/schema.ts), so every store the stack accepts can be named.
const STORE_NAME = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

const storeName = z
  .string()
  .superRefine((value, ctx) => {
    if (!new RegExp(STORE_NAME).test(value)) {
      custom(
        ctx,
        value,
        "is not a data store's name (lower-case letters, digits and '-')",
        "write the store's name as the stack's segmentation:dataStores lists it, e.g. account-details-db",
      );
    }
  })
  .meta({ pattern: STORE_NAME, description: "The store's name in the stack's segmentation:dataStores." });

const storeUse = z.strictObject({
  name: storeName,
  pods: labels("The service's pods that use the store; every pod of the namespace when absent.").optional(),
  why: text("What the service keeps in the store, or reads from it."),
});

const workload = z.strictObject({
  name: dnsLabel("The workload's name (a Deployment or StatefulSet)."),
  labels: labels("The labels of its pod template."),
  ports: z
    .array(
      z.strictObject({
        name: portName.optional(),
        containerPort: portNumber,
        protocol: protocol.optional(),
      }),
    )
    .optional()
    .meta({ description: "The container ports of its pods." }),
});

const service = z.strictObject({
  name: dnsLabel("The Service's name."),
  selector: labels("The Service's selector."),
  ports: z
    .array(
      z.strictObject({
        name: portName.optional(),
        port: portNumber.meta({ description: "The port clients dial on the Service." }),
        targetPort: z
          .union([portNumber, portName])
          .optional()
          .meta({ description: "The port the pods receive on; defaults to `port`." }),
        protocol: protocol.optional(),
      }),
    )
    .min(1),
});

export const contractFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: dnsLabel("The contract's name: it names and labels the rendered NetworkPolicies.")
      .superRefine((value, ctx) => {
        // Policies are named `<contract>-<rule>`; label integrity refuses tenants the platform's prefix.
        if (`${value}-`.startsWith(RESERVED_POLICY_NAME_PREFIX)) {
          custom(
            ctx,
            value,
            `would name its policies ${RESERVED_POLICY_NAME_PREFIX}*, which the platform reserves for its own`,
            "name the contract after the service",
          );
        }
      })
      .meta({ not: { pattern: `^${RESERVED_POLICY_NAME_PREFIX.replace(/-$/, "")}(-|$)` } }),
    namespace: dnsLabel("The namespace the service runs in; the policies are created there."),
    description: text("What the service is.").optional(),
    ingress: z.array(ingressRule).optional().meta({ description: "Traffic the service's pods accept." }),
    egress: z
      .array(egressRule)
      .optional()
      .meta({ description: "Destinations the area defaults deny that the service's pods must reach." }),
    expose: z.array(exposure).optional().meta({
      description: 'Pods labelled endpoint: "true", which the area rules open in the strict phase.',
    }),
    stores: z.array(storeUse).optional().meta({
      description:
        "The stack's data stores the service's pods use. Renders nothing: the store's clients in the stack open it, and lint checks that they include these pods.",
    }),
    workloads: z
      .array(workload)
      .optional()
      .meta({ description: "The service's pods as its chart renders them, for lint." }),
    services: z
      .array(service)
      .optional()
      .meta({ description: "The service's Services as its chart renders them, for lint." }),
  })
  .meta({
    title: "netseg service contract",
    description:
      "The traffic a service allows to its own pods, beyond the defaults of its network area. Render with `netseg contract render FILE`, check with `netseg contract lint FILE`.",
  });

export type ContractFile = z.input<typeof contractFileSchema>;

/** The published JSON schema of contract files. */
export function contractJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(contractFileSchema, { io: "input", target: "draft-2020-12" }) as Record<
    string,
    unknown
  >;
}

// --- from the parsed file to the model --------------------------------------------------------------------

type ParsedFile = z.output<typeof contractFileSchema>;
type ParsedPeer = z.output<typeof peer>;
type ParsedPort = z.output<typeof port>;

function toPort(value: ParsedPort): ContractPort {
  if (typeof value === "number") return { protocol: "TCP", port: value };
  if (typeof value === "string") return { protocol: "TCP", name: value };
  const protocol = value.protocol ?? "TCP";
  if (typeof value.port === "string") return { protocol, name: value.port };
  return value.endPort === undefined
    ? { protocol, port: value.port }
    : { protocol, port: value.port, endPort: value.endPort };
}

function toPeer(value: ParsedPeer): ContractPeer {
  const pods = value.pods === undefined ? {} : { pods: value.pods as Labels };
  if (value.area !== undefined) return { kind: "area", area: value.area, ...pods };
  if (value.namespace !== undefined) return { kind: "namespace", namespace: value.namespace, ...pods };
  if (value.cidr !== undefined) {
    return {
      kind: "cidr",
      cidr: value.cidr,
      ...(value.reason === undefined ? {} : { reason: value.reason }),
    };
  }
  return { kind: "pods", pods: value.pods ?? {} };
}

function toRule(
  direction: Direction,
  value: z.output<typeof ingressRule> | z.output<typeof egressRule>,
): ContractRule {
  const peers = "from" in value ? value.from : "to" in value ? value.to : undefined;
  return {
    direction,
    ...(value.name === undefined ? {} : { name: value.name }),
    pods: value.pods ?? {},
    peers: (peers ?? []).map(toPeer),
    ports: (value.ports ?? []).map(toPort),
    why: value.why,
  };
}

export function contractFromFile(file: ParsedFile): Contract {
  return {
    name: file.name,
    namespace: file.namespace,
    ...(file.description === undefined ? {} : { description: file.description }),
    ingress: (file.ingress ?? []).map((rule) => toRule("ingress", rule)),
    egress: (file.egress ?? []).map((rule) => toRule("egress", rule)),
    expose: (file.expose ?? []).map((entry) => ({ pods: entry.pods, why: entry.why })),
    stores: (file.stores ?? []).map((use) => ({ name: use.name, pods: use.pods ?? {}, why: use.why })),
    ...(file.workloads === undefined
      ? {}
      : {
          workloads: file.workloads.map((w) => ({
            name: w.name,
            labels: w.labels,
            ports: (w.ports ?? []).map((p) => ({
              ...(p.name === undefined ? {} : { name: p.name }),
              containerPort: p.containerPort,
              protocol: p.protocol ?? "TCP",
            })),
          })),
        }),
    ...(file.services === undefined
      ? {}
      : {
          services: file.services.map((s) => ({
            name: s.name,
            selector: s.selector,
            ports: s.ports.map((p) => ({
              ...(p.name === undefined ? {} : { name: p.name }),
              port: p.port,
              targetPort: p.targetPort ?? p.port,
              protocol: p.protocol ?? "TCP",
            })),
          })),
        }),
  };
}

// --- reading a file ---------------------------------------------------------------------------------------

export interface ParsedContractFile {
  contract?: Contract;
  issues: ContractIssue[];
  /** The line of a path in the file (of its nearest ancestor present), for messages. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/** Parses contract-file text (YAML or JSON); every problem is reported at once, each with its path. */
export function parseContractFile(content: string): ParsedContractFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(content, { uniqueKeys: true, lineCounter, prettyErrors: false });
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | null;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  if (document.errors.length > 0) {
    return {
      issues: document.errors.map((error) => ({
        path: `line ${lineCounter.linePos(error.pos[0]).line}`,
        value: undefined,
        problem:
          error.code === "DUPLICATE_KEY"
            ? "repeats a key of the same map"
            : `is not valid YAML (${error.message.split("\n")[0]})`,
        fix: error.code === "DUPLICATE_KEY" ? "keep one entry per key" : "correct the syntax",
      })),
      lineOf,
    };
  }
  const result = contractFileSchema.safeParse(document.toJS() ?? undefined, { reportInput: true });
  if (!result.success) return { issues: result.error.issues.flatMap((issue) => issueFromZod(issue)), lineOf };
  return { contract: contractFromFile(result.data), issues: [], lineOf };
}

/** `ingress[0].from[1].cidr`, as the contract file's reader writes it. */
export function contractPath(path: readonly PropertyKey[]): string {
  return propertyPath(path) || "(file)";
}

export type { ZodIssue } from "../zodIssues";

/** A zod issue of the contract file (or of one of its pieces, `schema`) in the project's words. */
export function issueFromZod(issue: ZodIssue, schema: z.ZodType = contractFileSchema): ContractIssue[] {
  return issuesFromZod(issue, {
    schema,
    path: contractPath,
    // The file's only union of plain values is a port.
    union: {
      noun: "a port",
      fix: 'write a number (8080), a container port\'s name ("http") or {port, endPort, protocol}',
    },
  });
}

/** Pieces of the file's schema the TypeScript vocabulary validates its values with. */
export const fileSchemas = { port, peer, storeName, labels: labels("Labels of the service's pods.") };
