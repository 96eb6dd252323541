/**
 * The project of the keep-failing-rows tests (DuckDB and BigQuery): a table and an error-level
 * assertion whose forbidden name is a var, so a run with `--vars forbidden=…` makes it pass or fail.
 */
export const FAILURES_SETTINGS = `defaultProject: testproj
defaultLocation: US
defaultDataset: ds
defaultAssertionDataset: ds_assertions
vars:
  forbidden: b
`;

export const FAILURES_FILES: Record<string, string> = {
  "definitions/base.sqlx": `config { type: "table" }
select 1 as id, 'a' as name union all select 2 as id, 'b' as name union all select 3 as id, 'c' as name`,
  "definitions/assert_no_forbidden.sqlx": `config { type: "assertion" }
select id, name from \${ref("base")} where name = '\${dataform.projectConfig.vars.forbidden}'`,
};
