/**
 * Runs the real Pulumi program in-process under Pulumi's runtime mocks and records what it declares: every
 * resource with its type, name, parent, inputs and the options the engine would receive (protect,
 * retainOnDelete, dependsOn, aliases). Tests and `netseg plan` both use it, so what the tests check is what
 * the plan shows.
 *
 * The public `Mocks` interface hands over inputs only. Options travel in the monitor's register request, so
 * the runner wraps the mock monitor's `registerResource` to read them there: the request is the engine
 * protocol itself, the same message `pulumi up` sends.
 */
import * as pulumi from "@pulumi/pulumi";

export interface RecordedOptions {
  protect: boolean;
  retainOnDelete: boolean;
  /** URNs the resource waits for: explicit `dependsOn` and the resources its inputs came from. */
  dependsOn: string[];
  aliases: string[];
  ignoreChanges: string[];
  deleteBeforeReplace: boolean;
}

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent resource, absent at the stack root. */
  parent?: string;
  /** False for component resources. */
  custom: boolean;
  /** The inputs as the provider would receive them, outputs resolved. */
  inputs: Record<string, unknown>;
  /** Reference to the explicit provider (`urn::id`), when one was given. */
  provider?: string;
  options: RecordedOptions;
}

export type InvokeHandler = (inputs: Record<string, unknown>) => Record<string, unknown>;

/** How Pulumi without an engine prefixes a warning the program logs. */
const ENGINE_WARNING = "warning: [runtime] ";

export interface OfflineOptions {
  project: string;
  stack: string;
  /** Stack config as Pulumi passes it to programs: `namespace:key` → string (objects JSON-encoded). */
  config: Record<string, string>;
  /** Answers to provider functions; any other invoke fails the run instead of returning nothing. */
  invokes?: Record<string, InvokeHandler>;
  /** Extra state for resources whose outputs the program reads (remote components above all). */
  state?: (resource: {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
  }) => Record<string, unknown>;
}

export interface OfflineRun<T> {
  resources: RecordedResource[];
  /** What the program logged as warnings (`pulumi.log.warn`), which `pulumi up` would show. */
  warnings: string[];
  /** What the program returned (its stack outputs), with every output resolved. */
  outputs: T;
}

type RegisterRequest = {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getProvider(): string;
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getDeletebeforereplace(): boolean;
  getDependenciesList(): string[];
  getAliasurnsList(): string[];
  getAliasesList?(): AliasMessage[];
  getIgnorechangesList(): string[];
  getObject(): unknown;
};

/** One alias of the register request: a URN, or a spec the engine turns into one. */
type AliasMessage = {
  getUrn(): string;
  getSpec():
    | {
        getName(): string;
        getType(): string;
        getStack(): string;
        getProject(): string;
        getParenturn(): string;
        getNoparent(): boolean;
      }
    | undefined;
};

type MonitorLike = {
  registerResource(
    req: RegisterRequest,
    callback: (err: unknown, res?: { getUrn(): string }) => void,
  ): unknown;
};

/** Runs `program` under mocks and returns everything it declared. Runs one at a time in a process. */
export async function runOffline<T>(
  program: () => T | Promise<T>,
  options: OfflineOptions,
): Promise<OfflineRun<T>> {
  const resources: RecordedResource[] = [];
  const failures: Error[] = [];
  // The inputs the mock monitor has just deserialized for `newResource`, taken over by the recorder.
  const handover: Handover = {};
  pulumi.runtime.setAllConfig(options.config);
  await setOfflineMocks(options, failures, handover);
  const stopRecording = recordRegistrations(resources, failures, handover);
  const engineWarnings = captureEngineWarnings();
  // Pulumi takes a full stack trace for every resource it registers (its source position) and one for every
  // promise it tracks, and tsx turns source maps on: mapping each frame of those traces back to TypeScript
  // was two thirds of a large plan's run. Nothing here reads those positions, so the run goes without; an
  // error the program throws still carries its stack, in the compiled positions.
  const sourceMaps = process.sourceMapsEnabled;
  process.setSourceMapsEnabled(false);
  try {
    const outputs = program();
    const resolved = (await settle(outputs)) as T;
    await pulumi.runtime.disconnect();
    if (failures.length > 0) throw failures[0];
    resources.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return { resources, warnings: engineWarnings.warnings, outputs: resolved };
  } finally {
    process.setSourceMapsEnabled(sourceMaps);
    engineWarnings.stop();
    stopRecording();
  }
}

/** What the mocks' `newResource` passes to the recorder of the same registration. */
interface Handover {
  inputs?: Record<string, unknown> | undefined;
}

/**
 * Mocks that answer every resource with its inputs as state (and a mock id and ARN), and only the invokes
 * the options name: any other invoke fails the run.
 */
async function setOfflineMocks(
  options: OfflineOptions,
  failures: Error[],
  handover: Handover,
): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        handover.inputs = args.inputs;
        const state = options.state?.({ type: args.type, name: args.name, inputs: args.inputs }) ?? {};
        const id = args.custom ? `mock::${args.type}::${args.name}` : undefined;
        return {
          id,
          state: { ...echoedState(args.inputs), arn: `arn:aws:mock::${args.type}:${args.name}`, ...state },
        };
      },
      call(args) {
        const handler = options.invokes?.[args.token];
        if (!handler) {
          const error = new Error(
            `unexpected invoke ${args.token}: the offline run answers only known functions`,
          );
          failures.push(error);
          throw error;
        }
        return handler(args.inputs);
      },
    },
    options.project,
    options.stack,
    false,
  );
}

/**
 * Records every resource the mock monitor registers, with its inputs and options, as soon as it is
 * registered. Returns the function that puts the monitor back.
 */
function recordRegistrations(
  resources: RecordedResource[],
  failures: Error[],
  handover: Handover,
): () => void {
  // Every request brings its own copy of the URNs it names, and a namespace's policies each wait for the
  // same dozen resources: at 10,000 namespaces, some 40,000 policies × a dozen URNs of about 150 bytes.
  // Records share one copy of each.
  const interned = new Map<string, string>();
  const intern = (text: string): string => {
    const known = interned.get(text);
    if (known !== undefined) return known;
    interned.set(text, text);
    return text;
  };
  const monitor = pulumi.runtime.getMonitor() as unknown as MonitorLike;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    let inputs: Record<string, unknown> | undefined;
    handover.inputs = undefined;
    const registered = register(req, (err, res) => {
      if (err) failures.push(err instanceof Error ? err : new Error(String(err)));
      if (res) {
        inputs ??= pulumi.runtime.deserializeProperties(req.getObject() as never) as Record<string, unknown>;
        // Recorded at once, so the request (a protobuf message as large as the inputs) can be collected.
        resources.push(recordOf(res.getUrn(), req, inputs, intern));
      }
      callback(err, res);
    });
    // The mock monitor calls `newResource` before its first await, with the inputs deserialized: reuse
    // them rather than deserializing every resource's inputs a second time (a tenth of a large plan's run).
    inputs = handover.inputs;
    return registered;
  };
  return () => {
    monitor.registerResource = register;
  };
}

/**
 * Without an engine to send them to, Pulumi writes the program's log messages to the console as
 * `warning: [runtime] ...` (@pulumi/pulumi log/index.js). They belong to the run's result: netseg shows
 * them as its own warnings, and tests read them instead of printing them between their dots.
 */
function captureEngineWarnings(): { warnings: string[]; stop(): void } {
  const warnings: string[] = [];
  const consoleWarn = console.warn;
  console.warn = (...args: unknown[]) => {
    const text = args.map(String).join(" ");
    if (text.startsWith(ENGINE_WARNING)) warnings.push(text.slice(ENGINE_WARNING.length));
    else consoleWarn(...args);
  };
  return {
    warnings,
    stop() {
      console.warn = consoleWarn;
    },
  };
}

/**
 * The outputs a resource reports back: its inputs, as a provider would, except that a Kubernetes object
 * reports its identity only (`apiVersion`, `kind`, `metadata`). Programs read names back, never specs, and
 * the specs are most of a large plan's bytes: echoed, each one is serialized twice more and kept by the
 * mock monitor and by the resource's outputs until the run ends.
 */
function echoedState(inputs: Record<string, unknown>): Record<string, unknown> {
  if (typeof inputs.kind !== "string" || typeof inputs.apiVersion !== "string") return inputs;
  return { apiVersion: inputs.apiVersion, kind: inputs.kind, metadata: inputs.metadata };
}

function recordOf(
  urn: string,
  req: RegisterRequest,
  inputs: Record<string, unknown>,
  intern: (text: string) => string,
): RecordedResource {
  return {
    urn: intern(urn),
    type: intern(req.getType()),
    name: req.getName(),
    ...(req.getParent() ? { parent: intern(req.getParent()) } : {}),
    custom: req.getCustom(),
    inputs,
    ...(req.getProvider() ? { provider: intern(req.getProvider()) } : {}),
    options: {
      protect: req.getProtect() === true,
      retainOnDelete: req.getRetainondelete() === true,
      dependsOn: [...new Set(req.getDependenciesList())].sort().map(intern),
      aliases: [
        ...req.getAliasurnsList(),
        ...(req.getAliasesList?.() ?? []).map((a) => aliasUrn(urn, req, a)),
      ],
      ignoreChanges: req.getIgnorechangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
    },
  };
}

/**
 * The URN an alias stands for. With the resource's own parent, it is the resource's URN with the alias's
 * name (and type) in place of its own, so it follows whatever parent chain the URN carries; another parent
 * qualifies the type with that parent's type, as the engine does (the stack resource qualifies nothing).
 * https://www.pulumi.com/docs/iac/concepts/resources/names/#urns
 */
function aliasUrn(urn: string, req: RegisterRequest, alias: AliasMessage): string {
  const spec = alias.getSpec();
  if (!spec) return alias.getUrn();
  const [, stack = "", project = "", qualified = ""] =
    /^urn:pulumi:([^:]*)::([^:]*)::(.*)::[^:]*$/.exec(urn) ?? [];
  const type = spec.getType() || req.getType();
  const ownChain = qualified.includes("$") ? qualified.slice(0, qualified.lastIndexOf("$")) : "";
  const parent = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
  const chain = parent === req.getParent() ? ownChain : parent === "" ? "" : (parent.split("::")[2] ?? "");
  const qualifiedType = chain && chain !== "pulumi:pulumi:Stack" ? `${chain}$${type}` : type;
  return `urn:pulumi:${spec.getStack() || stack}::${spec.getProject() || project}::${qualifiedType}::${spec.getName() || req.getName()}`;
}

/** Resolves every Output inside a value (objects and arrays included). */
async function settle(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    return settle(await new Promise((resolve) => (value as pulumi.Output<unknown>).apply(resolve)));
  }
  if (value instanceof Promise) return settle(await value);
  if (Array.isArray(value)) return Promise.all(value.map(settle));
  if (value && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await settle(v)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}
