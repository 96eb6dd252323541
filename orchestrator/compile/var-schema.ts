import * as fs from "fs";
import * as path from "path";
import { NodeVM } from "vm2";

/** The file a project declares its vars in (plain CommonJS; see includes/var_schema.js). */
export const VAR_SCHEMA_FILE = "includes/var_schema.js";

export interface VarDescription {
  type: string;
  /** The rule a value must follow, in words. */
  rule: string;
  empty: boolean;
  /** false for a var that does not change what a model computes (e.g. the scored day). */
  logic: boolean;
  meaning: string;
}

/** A project's declared var schema: the same functions core calls when it compiles the project. */
export interface VarSchema {
  names(): string[];
  /** Why the value is not valid (one line naming the var, the rule and the value), else undefined. */
  check(name: string, value: unknown): string | undefined;
  describe(name: string): VarDescription | undefined;
}

/**
 * Loads the project's includes/var_schema.js, undefined when it has none. Project code runs in
 * a vm2 sandbox, as it does when core compiles it.
 */
export function loadVarSchema(projectDir: string): VarSchema | undefined {
  const file = path.join(path.resolve(projectDir), VAR_SCHEMA_FILE);
  if (!fs.existsSync(file)) return undefined;
  const vm = new NodeVM({ wrapper: "commonjs", require: false });
  return vm.run(fs.readFileSync(file, "utf8"), file) as VarSchema;
}
