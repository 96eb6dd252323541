// Reads workflow_settings.yaml vars, checked against their declared schema (var_schema.js), and
// returns SQL fragments built from them. Every threshold and code list used by the models goes
// through here.
const schema = require("./var_schema");

// Every var (of workflow_settings.yaml and --vars) is checked once, when the project compiles:
// a bad or unknown value is one compilation error on workflow_settings.yaml naming the var. The
// accessors below check again, so a bad value can never reach SQL text even if that error could
// not be recorded.
(function checkEveryVar() {
  const vars = dataform.projectConfig.vars || {};
  const problems = [
    ...schema.names().filter((name) => !(name in vars)).map((name) => `workflow_settings.yaml has no var "${name}"; add it under vars:`),
    ...Object.keys(vars).map((name) => schema.check(name, vars[name])).filter(Boolean),
  ];
  for (const problem of problems) {
    if (typeof dataform.compileError === "function") dataform.compileError(new Error(problem), "workflow_settings.yaml");
    else throw new Error(problem);
  }
})();

/** A var's value, trimmed; throws (a compilation error in the model using it) when it is missing or invalid. */
function raw(name) {
  const vars = dataform.projectConfig.vars || {};
  if (!(name in vars)) {
    throw new Error(`workflow_settings.yaml has no var "${name}"; add it under vars:`);
  }
  const problem = schema.check(name, vars[name]);
  if (problem) throw new Error(problem);
  return String(vars[name]).trim();
}

function number(name) {
  return Number(raw(name));
}

function integer(name) {
  const value = Number(raw(name));
  if (!Number.isInteger(value)) throw new Error(`var "${name}" is not declared an integer in includes/var_schema.js; read it with vars.number`);
  return value;
}

/** A BigQuery string literal of any text: the value between double quotes, escaped. */
function quote(text) {
  return `"${String(text).replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
}

/** A var as a BigQuery string literal, e.g. the connection id of EXTERNAL_QUERY(…). */
function string(name) {
  return quote(raw(name));
}

/** `column in ('A', 'B')` for a comma-separated list var; `false` for an empty list. */
function inList(column, name) {
  const codes = raw(name).split(",").map((c) => c.trim()).filter(Boolean);
  return codes.length ? `${column} in (${codes.map((c) => `'${c}'`).join(", ")})` : "false";
}

/** The scored day as a SQL DATE expression. */
function asOf() {
  const value = raw("as_of");
  return value === "" ? "current_date()" : `date '${value}'`;
}

/** A day `days` before as_of as the integer YYYYMMDD (0 days: as_of itself). */
function asOfDayNumber(days = 0) {
  const day = days ? `date_sub(${asOf()}, interval ${days} day)` : asOf();
  return `cast(format_date('%Y%m%d', ${day}) as int64)`;
}

/** A filter on an ingestion-time partitioned GDELT table: partitions from `days` before as_of through as_of. */
function partitionWindow(days) {
  return `_PARTITIONTIME >= timestamp(date_sub(${asOf()}, interval ${days} day))
    and _PARTITIONTIME < timestamp(date_add(${asOf()}, interval 1 day))`;
}

module.exports = { raw, number, integer, string, quote, inList, asOf, asOfDayNumber, partitionWindow };
