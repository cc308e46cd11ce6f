/**
 * The README quotes netseg's output for dev and prod. A newcomer compares those lines with what their own
 * run prints, so each quoted count must be what today's commands print: a policy or namespace added to a
 * stack file changes the counts, and the README must change with it.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { reachabilityOf } from "../../analysis/reachability";
import { run } from "../../cli/main";
import { diffMarkdown, diffPlans } from "../../cli/plan/diff";
import { type Plan, planObjects } from "../../cli/plan/plan";
import { ROOT } from "../support/stack";
import { devPlan, MOVED, movedPlan } from "./plans";

const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** `netseg ARGS` in-process: what it prints on standard output. */
async function netseg(...args: string[]): Promise<string> {
  let stdout = "";
  await run(args, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => {},
    readFile: (path) => readFileSync(path, "utf8"),
  });
  return stdout;
}

/** Every README line matching `pattern`, with the README's line number for the failure message. */
function readmeLines(pattern: RegExp): { line: number; text: string }[] {
  return README.split("\n")
    .map((text, index) => ({ line: index + 1, text }))
    .filter(({ text }) => pattern.test(text));
}

describe("the README's quoted output", () => {
  let dev: string;
  let prod: string;
  before(async () => {
    // Runs of the program share Pulumi's runtime, so the stacks are planned one after the other.
    dev = await netseg("verify", "--stack", "dev", "--quiet");
    prod = await netseg("verify", "--stack", "prod", "--quiet");
  });

  it("counts dev's design cells, section by section, as netseg verify does", () => {
    const head = /^Design check of stack dev: [^)]*\)/m.exec(dev)?.[0];
    assert.ok(head, dev);
    const quoted = readmeLines(/^Design check of stack dev: /);
    assert.equal(quoted.length, 1, "the README quotes dev's design check once");
    for (const { line, text } of quoted) assert.ok(text.startsWith(head), `README.md:${line}: ${text}`);
  });

  it("quotes dev's tenant-proof line as netseg verify prints it", () => {
    const tenantProof = /^Tenant-proof: .*$/m.exec(dev)?.[0];
    assert.ok(tenantProof, dev);
    const quoted = readmeLines(/^Tenant-proof: /);
    // Once under the tenant-proof section, once in netseg verify's example.
    assert.equal(quoted.length, 2);
    for (const { line, text } of quoted) assert.equal(text, tenantProof, `README.md:${line}`);
  });

  it("counts the cells prod's teams could open as netseg verify does", () => {
    const open = /; ([\d,]+) cells hold only while teams behave/.exec(prod)?.[1];
    assert.ok(open, prod);
    assert.match(README, new RegExp(`prod lists ${open} such cells`));
  });

  it(`counts what moving ${MOVED.namespace} to ${MOVED.to} changes as netseg diff does`, async () => {
    const side = (plan: Plan) => ({
      reachability: reachabilityOf(plan.config, planObjects(plan)),
      resources: plan.resources,
    });
    const markdown = diffMarkdown(diffPlans(side(await devPlan()), side(await movedPlan())));
    const headlines = markdown.split("\n").filter((line) => /^\*\*\d+ (opened|added)/.test(line));
    assert.equal(headlines.length, 2, markdown);
    for (const headline of headlines) assert.ok(README.includes(`\n${headline}\n`), headline);
  });

  it("shows netseg explain's lines for dev as it prints them, cut short only where it says ...", async () => {
    const example = /```\n\$ npx netseg explain (.*)\n([\s\S]*?)```/.exec(README);
    assert.ok(example, "the README shows an explain example");
    const output = (await netseg("explain", ...example[1]!.split(" "))).split("\n");
    const shown = example[2]!.split("\n").filter((line) => line.trim() !== "..." && line !== "");
    assert.ok(shown.length >= 5, example[2]);
    // A line ending in "..." quotes the start of a line of the output; every other line is quoted whole.
    for (const line of shown) {
      const cut = line.endsWith("...") ? line.slice(0, -3) : undefined;
      const found = cut === undefined ? output.includes(line) : output.some((o) => o.startsWith(cut));
      assert.ok(found, `README.md quotes a line netseg explain does not print:\n${line}`);
    }
  });

  it("quotes no message that ends a question with a full stop", () => {
    // netseg ends a fix that asks "did you mean ...?" with the question mark alone (core/problems.ts).
    const quoted = readmeLines(/did you mean /);
    assert.ok(quoted.length >= 2, "the README quotes messages that suggest a name");
    for (const { line, text } of quoted) assert.doesNotMatch(text, /\?\.$/, `README.md:${line}: ${text}`);
  });
});
