/**
 * A ValidatingAdmissionPolicy evaluator for tests: it decides an admission request the way the API server
 * does, with a real CEL implementation (`@marcbachmann/cel-js`) running the policy's own expressions.
 *
 * What it follows (admissionregistration.k8s.io/v1): resource rules with subresources; match conditions
 * (any false skips the policy, an error applies `failurePolicy`, `variables` unavailable); lazily evaluated
 * variables; validations with `messageExpression` falling back to `message` and then to the expression;
 * `validationActions` Deny / Warn / Audit. The activation holds `object` (null on DELETE), `oldObject` (null
 * on CREATE), `request` (the AdmissionRequest without the objects), `params` (null: no paramKind) and
 * `namespaceObject`. Integers become CEL ints, as the API server's typed objects are.
 *
 * What it refuses rather than fakes: namespace and object selectors, exclude rules, binding-level match
 * resources and params. A policy using them fails the test until the evaluator learns them.
 */

import ipaddr from "ipaddr.js";
import type { ValidatingAdmissionPolicyBinding } from "kubernetes-types/admissionregistration/v1";
import type { AdmissionPolicy, ResourceRule } from "../../model/labelIntegrity";

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** An `admission.k8s.io/v1` AdmissionRequest, as a webhook would receive it. */
export interface AdmissionRequest {
  uid?: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: "CREATE" | "UPDATE" | "DELETE" | "CONNECT";
  userInfo: UserInfo;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
  [field: string]: unknown;
}

export interface AuditFailure {
  message: string;
  policy: string;
  binding: string;
  expressionIndex: number;
  validationActions: string[];
}

export interface AdmissionOutcome {
  /** False when the resource rules or a match condition left the request out. */
  evaluated: boolean;
  allowed: boolean;
  /** The error the client sees when refused. */
  denial?: string;
  /** HTTP warnings the client sees. */
  warnings: string[];
  /** The `validation.policy.admission.k8s.io/validation_failure` entries of the audit event. */
  audit: AuditFailure[];
}

type Cel = typeof import("@marcbachmann/cel-js");
type Env = InstanceType<Cel["Environment"]>;

const ROOT_VARIABLES = ["object", "oldObject", "request", "params", "namespaceObject"] as const;

let environments: Promise<{ conditions: Env; expressions: Env }> | undefined;
/** One environment for match conditions and one, with `variables`, for everything else; built once. */
function celEnvironments(): Promise<{ conditions: Env; expressions: Env }> {
  environments ??= (async () => {
    // ESM-only package, loaded from this CommonJS project with a dynamic import.
    const { Environment } = await import("@marcbachmann/cel-js");
    const make = (names: readonly string[]) => {
      // Homogeneous list and map literals, as the API server's CEL environment requires.
      const env = new Environment({ homogeneousAggregateLiterals: true });
      registerCidrLibrary(env);
      for (const name of names) env.registerVariable(name, "dyn");
      return env;
    };
    return { conditions: make(ROOT_VARIABLES), expressions: make([...ROOT_VARIABLES, "variables"]) };
  })();
  return environments;
}

/** Evaluates one request against one policy and its binding. */
export async function admit(
  policy: AdmissionPolicy,
  binding: ValidatingAdmissionPolicyBinding,
  request: AdmissionRequest,
  { namespaceObject = null }: { namespaceObject?: unknown } = {},
): Promise<AdmissionOutcome> {
  const spec = policy.spec ?? {};
  const policyName = policy.metadata?.name ?? "";
  const bindingName = binding.metadata?.name ?? "";
  const actions = checkActions(binding.spec?.validationActions ?? []);
  if (binding.spec?.policyName !== policyName) throw new Error("the binding does not name this policy");
  if (binding.spec?.matchResources || binding.spec?.paramRef || spec.paramKind) {
    throw new Error("the evaluator does not implement params or binding match resources");
  }
  const constraints = spec.matchConstraints ?? {};
  if (
    constraints.excludeResourceRules?.length ||
    hasSelector(constraints.namespaceSelector) ||
    hasSelector(constraints.objectSelector)
  ) {
    throw new Error("the evaluator does not implement selectors or exclude rules");
  }

  const skipped: AdmissionOutcome = { evaluated: false, allowed: true, warnings: [], audit: [] };
  if (!(constraints.resourceRules ?? []).some((rule) => ruleMatches(rule, request))) return skipped;

  const { conditions: base, expressions: withVariables } = await celEnvironments();
  const { object, oldObject, ...attributes } = request;
  const activation: Record<string, unknown> = {
    object: toCel(object ?? null),
    oldObject: toCel(oldObject ?? null),
    request: toCel(attributes),
    params: null,
    namespaceObject: toCel(namespaceObject),
  };

  const failPolicy = spec.failurePolicy ?? "Fail";
  const failures: { message: string; index: number }[] = [];

  let sawError: string | undefined;
  for (const condition of spec.matchConditions ?? []) {
    try {
      const result = base.evaluate(condition.expression, activation);
      if (typeof result !== "boolean") throw new Error(`match condition ${condition.name} is not a bool`);
      if (!result) return skipped;
    } catch (error) {
      sawError ??= `failed to evaluate match condition ${condition.name}: ${errorText(error)}`;
    }
  }
  if (sawError !== undefined) {
    if (failPolicy !== "Fail") return skipped;
    failures.push({ message: sawError, index: -1 });
  } else {
    // Variables are evaluated on first use and remembered, errors included, as in the API server.
    const variables: Record<string, unknown> = {};
    const scope = { ...activation, variables };
    for (const variable of spec.variables ?? []) {
      let memo: { value?: unknown; error?: unknown } | undefined;
      Object.defineProperty(variables, variable.name, {
        enumerable: true,
        get() {
          if (!memo) {
            try {
              memo = { value: withVariables.evaluate(variable.expression, scope) };
            } catch (error) {
              memo = { error };
            }
          }
          if (memo.error !== undefined) throw memo.error;
          return memo.value;
        },
      });
    }
    (spec.validations ?? []).forEach((validation, index) => {
      let passed: unknown;
      try {
        passed = withVariables.evaluate(validation.expression, scope);
        if (typeof passed !== "boolean") throw new Error("validation expression is not a bool");
      } catch (error) {
        if (failPolicy === "Fail") {
          failures.push({
            message: `expression '${validation.expression}' resulted in error: ${errorText(error)}`,
            index,
          });
        }
        return;
      }
      if (passed) return;
      failures.push({ message: failureMessage(withVariables, validation, scope), index });
    });
  }

  const outcome: AdmissionOutcome = { evaluated: true, allowed: true, warnings: [], audit: [] };
  for (const failure of failures) {
    if (actions.includes("Deny") && outcome.allowed) {
      outcome.allowed = false;
      outcome.denial = `ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}' denied request: ${failure.message}`;
    }
    if (actions.includes("Warn")) {
      outcome.warnings.push(
        `Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${failure.message}`,
      );
    }
    if (actions.includes("Audit")) {
      outcome.audit.push({
        message: failure.message,
        policy: policyName,
        binding: bindingName,
        expressionIndex: failure.index,
        validationActions: [...actions],
      });
    }
  }
  return outcome;
}

/** Every CEL expression of a policy, with where it sits, for compile checks. */
export function policyExpressions(policy: AdmissionPolicy): { field: string; expression: string }[] {
  const spec = policy.spec ?? {};
  return [
    ...(spec.matchConditions ?? []).map((c, i) => ({
      field: `matchConditions[${i}]`,
      expression: c.expression,
    })),
    ...(spec.variables ?? []).map((v, i) => ({ field: `variables[${i}]`, expression: v.expression })),
    ...(spec.validations ?? []).flatMap((v, i) => [
      { field: `validations[${i}].expression`, expression: v.expression },
      ...(v.messageExpression
        ? [{ field: `validations[${i}].messageExpression`, expression: v.messageExpression }]
        : []),
    ]),
  ];
}

/**
 * Why each expression would not compile where the API server puts it (syntax, unknown variables such as
 * `variables` in a match condition, type errors over dynamic inputs); empty when all compile.
 */
export async function compileProblems(policy: AdmissionPolicy): Promise<string[]> {
  const { conditions, expressions } = await celEnvironments();
  return policyExpressions(policy).flatMap(({ field, expression }) => {
    const env = field.startsWith("matchConditions") ? conditions : expressions;
    try {
      const result = env.check(expression);
      return result.valid ? [] : [`${field}: ${errorText(result.error)}`];
    } catch (error) {
      return [`${field}: ${errorText(error)}`];
    }
  });
}

/** Evaluates a CEL expression with the given variables, for tests of single expressions. */
export async function evaluateCel(
  expression: string,
  variables: Record<string, unknown> = {},
): Promise<unknown> {
  const { Environment } = await import("@marcbachmann/cel-js");
  const env = new Environment({ homogeneousAggregateLiterals: true });
  for (const name of Object.keys(variables)) env.registerVariable(name, "dyn");
  return env.evaluate(expression, toCel(variables) as Record<string, unknown>);
}

function failureMessage(
  env: Env,
  validation: { expression: string; message?: string; messageExpression?: string },
  scope: Record<string, unknown>,
): string {
  if (validation.messageExpression) {
    try {
      const text = env.evaluate(validation.messageExpression, scope);
      if (typeof text === "string" && text.trim() !== "" && !/[\r\n]/.test(text)) return text;
    } catch {
      // The API server logs the error and falls back to the static message.
    }
  }
  return validation.message ?? `failed expression: ${validation.expression}`;
}

function checkActions(actions: readonly string[]): string[] {
  if (actions.length === 0) throw new Error("validationActions is empty");
  if (new Set(actions).size !== actions.length) throw new Error("validationActions has duplicates");
  if (actions.includes("Deny") && actions.includes("Warn")) throw new Error("Deny and Warn together");
  for (const action of actions) {
    if (!["Deny", "Warn", "Audit"].includes(action)) throw new Error(`unknown action ${action}`);
  }
  return [...actions];
}

function ruleMatches(rule: ResourceRule, request: AdmissionRequest): boolean {
  const has = (list: readonly string[] | undefined, value: string) =>
    (list ?? []).includes("*") || (list ?? []).includes(value);
  if (!has(rule.operations, request.operation)) return false;
  if (!has(rule.apiGroups, request.resource.group)) return false;
  if (!has(rule.apiVersions, request.resource.version)) return false;
  const { resource } = request.resource;
  const sub = request.subResource ?? "";
  return (rule.resources ?? []).some((entry) => {
    const [main, subEntry] = entry.split("/", 2) as [string, string | undefined];
    if (main !== "*" && main !== resource) return false;
    // "pods" matches the resource only, "pods/*" every subresource, "*/*" everything.
    if (subEntry === undefined) return sub === "";
    return subEntry === "*" ? sub !== "" || main === "*" : subEntry === sub;
  });
}

function hasSelector(selector: { matchLabels?: object; matchExpressions?: unknown[] } | undefined): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length > 0 || (selector?.matchExpressions?.length ?? 0) > 0;
}

/** JSON values as CEL sees Kubernetes objects: whole numbers are ints. */
function toCel(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

/** A value of the Kubernetes CIDR library's `net.CIDR` type. */
class CelCidr {
  constructor(
    readonly family: "ipv4" | "ipv6",
    readonly bytes: number[],
    readonly length: number,
  ) {}

  contains(other: CelCidr): boolean {
    if (other.family !== this.family || other.length < this.length) return false;
    for (let bit = 0; bit < this.length; bit++) {
      const mask = 0x80 >> (bit % 8);
      if ((this.bytes[bit >> 3]! & mask) !== (other.bytes[bit >> 3]! & mask)) return false;
    }
    return true;
  }
}

/**
 * The part of Kubernetes' CIDR library (kubernetes/apiserver pkg/cel/library/cidr.go) the stack's policies
 * use: `cidr(string)`, which fails on anything but an address with a prefix length, and
 * `containsCIDR(string | net.CIDR)`, false across address families.
 */
function registerCidrLibrary(env: Env): void {
  const parse = (text: string): CelCidr => {
    const [address, length] = String(text).split("/");
    if (length === undefined || !ipaddr.isValid(address ?? ""))
      throw new Error(`network address parse error: ${text}`);
    const parsed = ipaddr.parse(address!);
    const bits = Number(length);
    const max = parsed.kind() === "ipv4" ? 32 : 128;
    if (!Number.isInteger(bits) || bits < 0 || bits > max)
      throw new Error(`network address parse error: ${text}`);
    return new CelCidr(parsed.kind(), parsed.toByteArray(), bits);
  };
  env.registerType("net.CIDR", CelCidr);
  env.registerFunction("cidr(string): net.CIDR", parse);
  env.registerFunction({
    name: "containsCIDR",
    receiverType: "net.CIDR",
    returnType: "bool",
    handler: (self: CelCidr, other: string) => self.contains(parse(other)),
    params: [{ name: "other", type: "string" }],
  });
  env.registerFunction({
    name: "containsCIDR",
    receiverType: "net.CIDR",
    returnType: "bool",
    handler: (self: CelCidr, other: CelCidr) => self.contains(other),
    params: [{ name: "other", type: "net.CIDR" }],
  });
}
