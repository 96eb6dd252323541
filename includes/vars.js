// Reads workflow_settings.yaml vars with validation, and returns SQL fragments built from them.
// Every threshold and code list used by the models goes through here.

function raw(name) {
  const vars = dataform.projectConfig.vars || {};
  if (!(name in vars)) {
    throw new Error(`workflow_settings.yaml has no var "${name}"; add it under vars:`);
  }
  return String(vars[name]).trim();
}

function number(name) {
  const value = Number(raw(name));
  if (raw(name) === "" || !Number.isFinite(value)) {
    throw new Error(`var "${name}" must be a number, got "${raw(name)}"`);
  }
  return value;
}

function integer(name) {
  const value = number(name);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`var "${name}" must be a whole number >= 0, got "${raw(name)}"`);
  }
  return value;
}

/** `column in ('A', 'B')` for a comma-separated list var; `false` for an empty list. */
function inList(column, name) {
  const codes = raw(name).split(",").map((c) => c.trim()).filter(Boolean);
  for (const code of codes) {
    if (!/^[A-Za-z0-9]+$/.test(code)) throw new Error(`var "${name}": "${code}" is not a country code`);
  }
  return codes.length ? `${column} in (${codes.map((c) => `'${c}'`).join(", ")})` : "false";
}

/** The scored day as a SQL DATE expression. */
function asOf() {
  const value = raw("as_of");
  if (value === "") return "current_date()";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new Error(`var "as_of" must be YYYY-MM-DD, got "${value}"`);
  return `date '${value}'`;
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

module.exports = { raw, number, integer, inList, asOf, asOfDayNumber, partitionWindow };
