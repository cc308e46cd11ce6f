/**
 * `netseg contract`: service contracts for teams that deploy with Helm.
 *
 *   netseg contract render FILE    the NetworkPolicies of a contract file, as YAML for the chart
 *   netseg contract lint FILE      the contract's mistakes, and what it opens beyond the area defaults
 *   netseg contract schema         the JSON schema contract files follow
 *
 * A file that does not parse, a contract render refuses and a lint with errors all exit with 2, each
 * problem on its own line as `FILE:LINE: path: value problem; fix.`
 */
import { stringify } from "yaml";
import { flowText } from "../../analysis/contractEstate";
import { type LintReport, lintContract } from "../../analysis/contractLint";
import { formatProblem, sentence, withRule } from "../../core/problems";
import { checkConfig } from "../../model/config";
import {
  type Contract,
  ContractError,
  type ContractIssue,
  contractJsonSchema,
  type Finding,
  type ParsedContractFile,
  parseContractFile,
  planContract,
  renderContractMesh,
  type StackContext,
  stackContext,
  toContractNetworkPolicy,
} from "../../model/contracts";
import { parseStackFile, rawConfigOf, stackNameOf, stacksIn } from "../../model/stackFile";
import { CommandError, type CommandIo, type NetsegCommand } from "./command";

/** The stack lint composes with when none is named, if its file is in the working directory. */
const DEFAULT_STACK = "dev";

/** Flows listed per phase before the rest are counted. */
const FLOWS_SHOWN = 12;

export const contract: NetsegCommand = (program, io) => {
  const command = program
    .command("contract")
    .description(
      "render and check service contracts: the traffic a service allows beyond its area's defaults",
    );

  command
    .command("render")
    .description("write the NetworkPolicies of a contract file as YAML, to include in the service's chart")
    .argument("<file>", 'the contract file (YAML or JSON); "-" reads standard input')
    .option("--mesh", "also write the Linkerd authorization of the ingress rules, for a meshed namespace")
    .action((file: string, options: { mesh?: boolean }) => {
      const { contract: parsed, parsedFile } = readContract(io, file);
      let policies: ReturnType<typeof planContract>;
      try {
        policies = planContract(parsed);
      } catch (error) {
        if (!(error instanceof ContractError)) throw error;
        throw new CommandError(problems(file, parsedFile, error.problems, "refused"));
      }
      const documents = [
        ...policies.map((policy) => toContractNetworkPolicy(policy)),
        ...(options.mesh ? renderContractMesh(parsed).map(({ object }) => object) : []),
      ].map((object) => stringify(object, { lineWidth: 0 }));
      io.stdout(
        `# ${options.mesh ? "NetworkPolicies and Linkerd authorization" : "NetworkPolicies"} of contract ${parsed.name}, rendered by netseg contract render from ${displayName(file)}.\n` +
          `# Change the contract, not this output.\n---\n${documents.join("---\n")}`,
      );
    });

  command
    .command("lint")
    .description("check a contract file, and show what it opens beyond the area defaults in each phase")
    .argument("<file>", 'the contract file (YAML or JSON); "-" reads standard input')
    .option(
      "--stack <name>",
      `compose with the defaults of Pulumi.<name>.yaml (default: ${DEFAULT_STACK}, if present)`,
    )
    .option("--config <file>", "compose with the defaults of this stack file")
    .option("--json", "print the report as JSON")
    .action((file: string, options: { stack?: string; config?: string; json?: boolean }) => {
      const { contract: parsed, parsedFile } = readContract(io, file, options.json === true);
      const stack = loadStack(io, options);
      const report = lintContract(parsed, stack);
      if (options.json) {
        io.stdout(`${JSON.stringify(jsonReport(file, parsed, stack, report, parsedFile), null, 2)}\n`);
      } else io.stdout(textReport(file, parsed, stack, report, parsedFile));
      const errors = report.findings.filter((finding) => finding.severity === "error").length;
      if (errors > 0) {
        throw new CommandError(`${displayName(file)}: ${errors} error${errors === 1 ? "" : "s"}; see above.`);
      }
    });

  command
    .command("schema")
    .description("print the JSON schema of contract files (published as schemas/contract.schema.json)")
    .action(() => io.stdout(`${JSON.stringify(contractJsonSchema(), null, 2)}\n`));
};

function displayName(file: string): string {
  return file === "-" ? "standard input" : file;
}

function readContractText(io: CommandIo, file: string): string {
  try {
    return io.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(error);
    throw new CommandError(`${displayName(file)}: cannot read it: ${why}`);
  }
}

/**
 * Reads and parses a contract file, or stops on its problems. With `json`, the problems are also printed as
 * the JSON report's findings (errors, each with its line), so a pipeline reading the report sees them.
 */
function readContract(
  io: CommandIo,
  file: string,
  json = false,
): { contract: Contract; parsedFile: ParsedContractFile } {
  const text = readContractText(io, file);
  const parsedFile = parseContractFile(text);
  if (!parsedFile.contract) {
    if (json) {
      const findings = parsedFile.issues.map((issue) => {
        const line = issue.path.startsWith("line ")
          ? Number(issue.path.slice(5))
          : parsedFile.lineOf(pathParts(issue.path));
        return { severity: "error", ...issue, ...(line === undefined ? {} : { line }) };
      });
      io.stdout(`${JSON.stringify({ file: displayName(file), findings }, null, 2)}\n`);
    }
    throw new CommandError(problems(file, parsedFile, parsedFile.issues, "invalid"));
  }
  return { contract: parsedFile.contract, parsedFile };
}

/** Every problem on its own line, located in the file. */
function problems(
  file: string,
  parsed: ParsedContractFile,
  issues: readonly ContractIssue[],
  what: string,
): string {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return [
    `${displayName(file)}: ${what} contract (${count}):`,
    ...issues.map((issue) => `  ${located(file, parsed, issue)}`),
  ].join("\n");
}

function located(file: string, parsed: ParsedContractFile, issue: ContractIssue): string {
  if (issue.path.startsWith("line "))
    return `${displayName(file)}:${issue.path.slice(5)}: ${issue.problem}; ${sentence(issue.fix)}`;
  const line = parsed.lineOf(pathParts(issue.path));
  return `${displayName(file)}${line === undefined ? "" : `:${line}`}: ${formatProblem(issue)}`;
}

/** `ingress[0].from[1].cidr` back to `["ingress", 0, "from", 1, "cidr"]`. */
function pathParts(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const match of path.matchAll(/\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|([^.[\]]+)/g)) {
    if (match[1] !== undefined) parts.push(Number(match[1]));
    else if (match[2] !== undefined) parts.push(JSON.parse(`"${match[2]}"`) as string);
    else if (match[3] !== undefined) parts.push(match[3]);
  }
  return parts;
}

function loadStack(io: CommandIo, options: { stack?: string; config?: string }): StackContext | undefined {
  if (options.stack !== undefined && options.config !== undefined) {
    throw new CommandError("give --stack or --config, not both");
  }
  const path = options.config ?? `Pulumi.${options.stack ?? DEFAULT_STACK}.yaml`;
  // The same name `netseg plan --config` gives the file (cli/plan/plan.ts `stackSource`).
  const name =
    options.stack ?? (options.config === undefined ? undefined : stackNameOf(path)) ?? DEFAULT_STACK;
  let text: string;
  try {
    text = io.readFile(path);
  } catch (error) {
    // Without a named stack, a working directory with no stack file just means: lint the contract alone.
    if (options.stack === undefined && options.config === undefined) return undefined;
    const code = (error as NodeJS.ErrnoException).code;
    if (options.config !== undefined || code !== "ENOENT") {
      throw new CommandError({
        path: options.config === undefined ? "--stack" : "--config",
        value: options.config ?? options.stack,
        rule: "stack-file-exists",
        problem: `names a stack file netseg cannot read (${code === "ENOENT" ? "no such file" : String(error)})`,
        fix: "give the path of a stack file (Pulumi.<stack>.yaml)",
      });
    }
    const stacks = stacksIn(".");
    throw new CommandError({
      path: "--stack",
      value: options.stack,
      rule: "stack-file-exists",
      problem: `has no stack file ${path} in the working directory`,
      fix:
        stacks.length === 0
          ? "run netseg in the project's directory, or give the stack file with --config"
          : `use one of the stacks here: ${stacks.join(", ")}`,
    });
  }
  const raw = rawConfigOf(parseStackFile(text, path).config);
  const { config, issues } = checkConfig(raw);
  if (!config) {
    throw new CommandError({
      heading: `${path}: Invalid stack config`,
      problems: withRule("stack-config", issues),
    });
  }
  return stackContext(name, config, raw);
}

const SEVERITY_WIDTH = "warning".length;

function textReport(
  file: string,
  parsed: Contract,
  stack: StackContext | undefined,
  report: LintReport,
  parsedFile: ParsedContractFile,
): string {
  const lines: string[] = [];
  const home = stack?.config.namespaces.find((ns) => ns.name === parsed.namespace);
  lines.push(
    `contract ${parsed.name} in namespace ${parsed.namespace}${
      stack ? `, against stack ${stack.name}${home ? ` (${home.area}, ${home.phase} phase)` : ""}` : ", alone"
    }`,
  );
  const order = { error: 0, warning: 1, note: 2 } as const;
  const findings = [...report.findings].sort((a, b) => order[a.severity] - order[b.severity]);
  for (const finding of findings) {
    lines.push(`  ${finding.severity.padEnd(SEVERITY_WIDTH)} ${located(file, parsedFile, finding)}`);
  }
  for (const effect of report.effects) {
    const shown = [...new Set(effect.opened.map(flowText))];
    const whose = effect.configured ? ` (the phase of ${parsed.namespace} in stack ${stack?.name})` : "";
    lines.push(
      `opens beyond the area defaults in the ${effect.phase} phase${whose}: ${shown.length === 0 ? "nothing" : `${shown.length} connection${shown.length === 1 ? "" : "s"}`}`,
    );
    for (const flow of shown.slice(0, FLOWS_SHOWN)) lines.push(`  ${flow}`);
    if (shown.length > FLOWS_SHOWN) lines.push(`  ... and ${shown.length - FLOWS_SHOWN} more`);
  }
  for (const skipped of report.skipped) lines.push(`skipped: ${skipped}`);
  const count = (severity: Finding["severity"]) => {
    const n = report.findings.filter((finding) => finding.severity === severity).length;
    return `${n} ${severity}${n === 1 ? "" : "s"}`;
  };
  lines.push(`${count("error")}, ${count("warning")}, ${count("note")}.`);
  return `${lines.join("\n")}\n`;
}

/** The report as data; each finding carries the line of the file it is about, as the text report shows it. */
function jsonReport(
  file: string,
  parsed: Contract,
  stack: StackContext | undefined,
  report: LintReport,
  parsedFile: ParsedContractFile,
) {
  return {
    file: displayName(file),
    contract: parsed.name,
    namespace: parsed.namespace,
    ...(stack ? { stack: stack.name } : {}),
    findings: report.findings.map((finding) => {
      const line = parsedFile.lineOf(pathParts(finding.path));
      return line === undefined ? finding : { ...finding, line };
    }),
    effects: report.effects.map((effect) => ({
      phase: effect.phase,
      configured: effect.configured,
      opened: [...new Set(effect.opened.map(flowText))],
    })),
    skipped: report.skipped,
  };
}
