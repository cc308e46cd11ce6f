import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020, { type ErrorObject } from "ajv/dist/2020";
import { parse } from "yaml";
import { formatProblem } from "../../core/problems";
import { contractJsonSchema, parseContractFile } from "../../model/contracts";
import { ROOT } from "../support/stack";

const SCHEMA_FILE = join(ROOT, "schemas", "contract.schema.json");
const MALFORMED = join(__dirname, "malformed");
const EXAMPLES = join(ROOT, "examples", "contracts");

const published = () => JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as Record<string, unknown>;

/** The published schema, compiled by a JSON-schema validator that knows nothing of zod. */
const validate = new Ajv2020({ allErrors: true }).compile(published());

/** The field each error names: its location, plus the property it is about when the error names one. */
function fieldsNamed(errors: readonly ErrorObject[]): string[] {
  return errors.map((error) => {
    const params = error.params as {
      additionalProperty?: string;
      missingProperty?: string;
      propertyName?: string;
    };
    const property = params.additionalProperty ?? params.missingProperty ?? params.propertyName;
    return property === undefined ? error.instancePath : `${error.instancePath}/${property}`;
  });
}

/** `/ingress/0/ports/0` as the contract file's reader writes it: `ingress[0].ports[0]`. */
function contractPathOf(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part, i) =>
      /^\d+$/.test(part)
        ? `[${part}]`
        : /^[A-Za-z_$][\w-]*$/.test(part)
          ? `${i === 0 ? "" : "."}${part}`
          : `[${JSON.stringify(part)}]`,
    )
    .join("");
}

const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(".yaml"))
    .sort();

describe("contract files", () => {
  it("publishes the JSON schema the parser is built from (regenerate: npx netseg contract schema)", () => {
    assert.deepEqual(published(), contractJsonSchema());
  });

  for (const name of yamlFiles(EXAMPLES)) {
    it(`accepts the example ${name} in the JSON schema and the parser alike`, () => {
      const text = readFileSync(join(EXAMPLES, name), "utf8");
      assert.equal(validate(parse(text)), true, JSON.stringify(validate.errors));
      const parsed = parseContractFile(text);
      assert.deepEqual(parsed.issues, []);
      assert.ok(parsed.contract);
    });
  }

  describe("malformed files", () => {
    const files = yamlFiles(MALFORMED);
    it("has fixtures to check", () => assert.ok(files.length >= 10, `${files.length} fixtures`));
    for (const name of files) {
      const text = readFileSync(join(MALFORMED, name), "utf8");
      const field = /^# rejects: (\S+)/.exec(text)?.[1];
      it(`${name}: the JSON schema and the parser both name ${field}`, () => {
        assert.ok(field, "the fixture names the field it gets wrong on its first line");
        // GIVEN the published schema, WHEN it validates the file, THEN it fails naming the field
        assert.equal(validate(parse(text)), false);
        assert.ok(
          fieldsNamed(validate.errors ?? []).includes(field),
          JSON.stringify(fieldsNamed(validate.errors ?? [])),
        );
        // AND the parser netseg uses refuses it with the same field's path, a problem and a fix
        const parsed = parseContractFile(text);
        assert.equal(parsed.contract, undefined);
        const issue = parsed.issues.find((candidate) => candidate.path === contractPathOf(field));
        assert.ok(issue, parsed.issues.map(formatProblem).join("\n"));
        assert.match(issue.fix, /\w/);
      });
    }
  });

  const parserOnly: [string, string, RegExp][] = [
    ["host bits in a CIDR", "egress[0].to[0].cidr", /host bits.*"172\.20\.8\.0\/24"/],
    ["a range that ends below its start", "ingress[0].ports[0].endPort", /below port 9000/],
  ];
  for (const [what, path, message] of parserOnly) {
    it(`refuses ${what}, which a JSON schema cannot express, in the parser`, () => {
      const file = {
        name: "payments-query-service",
        namespace: "payments-query-service",
        ingress: [
          {
            pods: { app: "payments-query-cache" },
            from: [{ pods: { app: "payments-query-api" } }],
            ports: [path.startsWith("ingress") ? { port: 9000, endPort: 8000 } : 6379],
            why: "The API reads the cache.",
          },
        ],
        egress: [
          {
            pods: { app: "payments-projector" },
            to: [
              { cidr: path.startsWith("egress") ? "172.20.8.1/24" : "172.20.8.0/24", reason: "The partner." },
            ],
            why: "The projector pulls settlement files.",
          },
        ],
      };
      const text = JSON.stringify(file);
      assert.equal(validate(file), true, "the JSON schema lets it through");
      const parsed = parseContractFile(text);
      const issue = parsed.issues.find((candidate) => candidate.path === path);
      assert.ok(issue, parsed.issues.map(formatProblem).join("\n"));
      assert.match(formatProblem(issue), message);
    });
  }

  describe("a port object with a wrong field names the field, not the whole port", () => {
    const cases: [unknown, string, RegExp][] = [
      [
        { port: 9000, endPort: "9010" },
        "endPort",
        /endPort: "9010" is a string, not a number; write a number\.$/,
      ],
      [{ port: 8080, protocol: "HTTP" }, "protocol", /protocol: "HTTP" is not one of the allowed values/],
      [
        { name: "grpc" },
        "name",
        /name: "grpc" is not a known field; remove it; known fields are port, endPort, protocol\.$/,
      ],
      [{ endPort: 9010 }, "port", /port: \(missing\) is missing; add it \(a port\)\.$/],
    ];
    assert.equal(cases.length, 4);
    for (const [port, field, message] of cases) {
      it(`${JSON.stringify(port)}: ${field}`, () => {
        const file = {
          name: "payments-api",
          namespace: "payments",
          ingress: [
            { pods: { app: "payments-api" }, from: [{ area: "backoffice" }], ports: [port], why: "test" },
          ],
        };
        const parsed = parseContractFile(JSON.stringify(file));
        assert.equal(parsed.contract, undefined);
        const lines = parsed.issues.map(formatProblem);
        const issue = parsed.issues.find((candidate) => candidate.path === `ingress[0].ports[0].${field}`);
        assert.ok(issue, lines.join("\n"));
        assert.match(formatProblem(issue), message);
        assert.ok(
          lines.every((line) => !/map of fields, not a port/.test(line)),
          lines.join("\n"),
        );
      });
    }
  });

  it("suggests the field a misspelt one was meant to be", () => {
    const text = readFileSync(join(MALFORMED, "misspelt-section.yaml"), "utf8");
    const issue = parseContractFile(text).issues.find((candidate) => candidate.path === "ingres");
    assert.match(issue?.fix ?? "", /did you mean "ingress"/);
  });

  it("suggests the area a misspelt one was meant to be", () => {
    const text = readFileSync(join(MALFORMED, "unknown-area.yaml"), "utf8");
    const issue = parseContractFile(text).issues.find(
      (candidate) => candidate.path === "ingress[0].from[0].area",
    );
    assert.match(issue?.fix ?? "", /did you mean "backoffice"/);
  });

  it("locates problems by line, and reports YAML syntax errors with theirs", () => {
    const text = readFileSync(join(MALFORMED, "port-out-of-range.yaml"), "utf8");
    const parsed = parseContractFile(text);
    assert.equal(
      parsed.lineOf(["ingress", 0, "ports", 0]),
      text.split("\n").findIndex((l) => l.includes("80800")) + 1,
    );
    const broken = parseContractFile("name: x\nnamespace: [y\n");
    assert.equal(broken.contract, undefined);
    assert.match(broken.issues[0]!.path, /^line \d+$/);
    const twice = parseContractFile("name: a\nname: b\nnamespace: c\n");
    assert.match(twice.issues.map(formatProblem).join(), /line 2.*repeats a key/);
  });
});
