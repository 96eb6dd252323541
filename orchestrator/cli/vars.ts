import { InputError } from "../errors";

/**
 * `--vars k=v,k2=v2`. A comma-separated part without `=` continues the previous value, so a code
 * list can be given as it is written in workflow_settings.yaml: `focus_actor_codes=VEN,COL`.
 * Keys and values are checked against the project's var schema when compiling.
 */
export function parseVars(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const vars: Record<string, string> = {};
  let last: string | undefined;
  for (const part of text.split(",")) {
    const eq = part.indexOf("=");
    if (eq < 0 && last !== undefined) {
      vars[last] = `${vars[last]},${part}`.trim();
      continue;
    }
    const key = part.slice(0, eq).trim();
    if (eq < 0 || !key) throw new InputError(`--vars expects k=v,k2=v2; got "${part}"`);
    if (key in vars) throw new InputError(`--vars: "${key}" is given twice`);
    vars[key] = part.slice(eq + 1).trim();
    last = key;
  }
  return vars;
}

/** A repeatable, comma-separated list option (--tags a,b --tags c). */
export const list = (value: string, previous: string[] = []) => previous.concat(value.split(",").map((v) => v.trim()).filter(Boolean));
