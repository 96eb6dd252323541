// The declared schema of every var in workflow_settings.yaml: its type and rule, whether it may be
// empty, what it means and whether it changes what a model computes. Plain data and one small
// check, no dependencies: @dataform/core reads it at compile time (includes/vars.js, so the
// official CLI and the Dataform service too), and vwatch reads it before it compiles.
//
// logic: false marks a var that only moves the scored day; vwatch never refuses to merge into an
// incremental table because such a var changed (README: "Vars and incremental tables").

const VARS = {
  focus_actor_codes: {
    type: "code_list",
    item: "^[A-Z]{3}$",
    itemRule: "3-letter CAMEO country codes in capitals",
    example: "VEN,COL",
    empty: true,
    logic: true,
    meaning: "CAMEO actor country codes of the focus events (Actor1/Actor2CountryCode), comma-separated",
  },
  focus_geo_codes: {
    type: "code_list",
    item: "^[A-Z]{2}$",
    itemRule: "2-letter FIPS 10-4 country codes in capitals",
    example: "VE",
    empty: true,
    logic: true,
    meaning: "FIPS 10-4 action-geography codes of the focus events (ActionGeo_CountryCode), comma-separated",
  },
  as_of: {
    type: "day",
    empty: true,
    logic: false,
    meaning: "the scored day; empty: the latest mention day loaded (vwatch) or current_date() (without vwatch)",
  },
  event_window_days: {
    type: "integer",
    min: 1,
    max: 3650,
    logic: true,
    meaning: "events added this many days before as_of are tracked",
  },
  lookback_days: {
    type: "integer",
    min: 1,
    max: 3650,
    logic: true,
    meaning: "baseline window length in days, the scored day excluded",
  },
  min_history_days: {
    type: "integer",
    min: 0,
    max: 3650,
    logic: true,
    meaning: "fewest baseline days (n) for a spike",
  },
  min_spike_mentions: {
    type: "integer",
    min: 0,
    max: 1000000000,
    logic: true,
    meaning: "fewest mentions on the day for a spike",
  },
  z_threshold: {
    type: "number",
    min: 0,
    max: 1000,
    logic: true,
    meaning: "lowest z-score for a spike",
  },
  min_stddev: {
    type: "number",
    min: 0,
    minExclusive: true,
    max: 1000000,
    logic: true,
    meaning: "floor on the baseline standard deviation (a flat baseline would make every extra mention a spike)",
  },
  high_z: {
    type: "number",
    min: 0,
    max: 1000,
    logic: true,
    meaning: "confidence HIGH when z >= high_z",
  },
  medium_z: {
    type: "number",
    min: 0,
    max: 1000,
    logic: true,
    meaning: "confidence MEDIUM when z >= medium_z (else LOW)",
  },
  training_window_days: {
    type: "integer",
    min: 1,
    max: 3000,
    logic: true,
    meaning: "entity_risk_training_data keeps this many days up to and including as_of",
  },
  app_connection: {
    type: "connection_id",
    logic: true,
    meaning: "BigQuery connection to the application's PostgreSQL, for EXTERNAL_QUERY",
  },
};

// project: a GCP project id (6-30 characters: lowercase letters, digits, hyphens; starts with a
// letter, does not end with a hyphen); location: a BigQuery location (us, EU, us-central1, …);
// connection_id: letters, digits, underscores and hyphens. No quote, comma or space can pass.
const CONNECTION_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]\.[A-Za-z]+(-[A-Za-z]+[0-9]+)?\.[A-Za-z0-9_-]{1,64}$/;
const INTEGER = /^[0-9]+$/;
const NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;
const DAY = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

function isDay(value) {
  const m = DAY.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** The rule a var's value must follow, in words (for messages and the README). */
function rule(spec) {
  const range = () => `from ${spec.min}${spec.minExclusive ? " (excluded)" : ""} to ${spec.max}`;
  const empty = spec.empty ? ", or empty" : "";
  switch (spec.type) {
    case "integer":
      return `a whole number ${range()}${empty}`;
    case "number":
      return `a number ${spec.minExclusive ? `> ${spec.min}` : `>= ${spec.min}`} and <= ${spec.max}, written like 2 or 2.5${empty}`;
    case "day":
      return `a day YYYY-MM-DD${empty}`;
    case "code_list":
      return `comma-separated ${spec.itemRule} (e.g. ${spec.example})${empty}`;
    case "connection_id":
      return "project.location.connection_id (GCP project id, location, connection id; e.g. my-project.us.my-connection)";
    default:
      throw new Error(`includes/var_schema.js: unknown type "${spec.type}"`);
  }
}

function valid(spec, value) {
  if (value === "") return Boolean(spec.empty);
  switch (spec.type) {
    case "integer":
    case "number": {
      if (!(spec.type === "integer" ? INTEGER : NUMBER).test(value)) return false;
      const n = Number(value);
      return (spec.minExclusive ? n > spec.min : n >= spec.min) && n <= spec.max;
    }
    case "day":
      return isDay(value);
    case "code_list":
      return value.split(",").every((code) => new RegExp(spec.item).test(code.trim()));
    case "connection_id":
      return CONNECTION_ID.test(value);
    default:
      return false;
  }
}

/**
 * Why `value` is not a valid value of var `name` (one line naming the var, the rule and the
 * value), or undefined when it is valid.
 */
function check(name, value) {
  const spec = Object.prototype.hasOwnProperty.call(VARS, name) ? VARS[name] : undefined;
  if (!spec) return `var ${JSON.stringify(name)} is not a var of this project; known vars: ${Object.keys(VARS).join(", ")}`;
  if (typeof value !== "string") return `var ${JSON.stringify(name)} must be a string, got ${JSON.stringify(value)}`;
  if (valid(spec, value.trim())) return undefined;
  return `var ${JSON.stringify(name)} must be ${rule(spec)}, got ${JSON.stringify(value)}`;
}

/** The var's declaration with its rule in words. */
function describe(name) {
  const spec = VARS[name];
  return spec && { type: spec.type, rule: rule(spec), empty: Boolean(spec.empty), logic: spec.logic !== false, meaning: spec.meaning };
}

module.exports = { VARS, check, describe, names: () => Object.keys(VARS) };
