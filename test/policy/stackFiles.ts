/** The stack files in the repository, found the way Pulumi finds them: `Pulumi.<stack>.yaml` at the root. */
import { readdirSync } from "node:fs";
import { ROOT } from "../support/stack";

const STACK_FILE = /^Pulumi\.([^.]+)\.yaml$/;

/** File names of every stack, sorted. */
export function stackFiles(): string[] {
  return readdirSync(ROOT)
    .filter((file) => STACK_FILE.test(file))
    .sort();
}

/** Names of every stack (`dev` for `Pulumi.dev.yaml`), sorted. */
export function stackNames(): string[] {
  return stackFiles().map((file) => STACK_FILE.exec(file)![1]!);
}
