-- venezuelawatch.analytics_assertions.assert_entity_risk_training_data_columns
-- statement
create or replace view "analytics_assertions"."assert_entity_risk_training_data_columns" as /* Pseudo-columns (_PARTITIONTIME of ingestion-time partitioned tables) have no ordinal position */ /* and are not columns Vertex AI reads. */ WITH "columns" AS (SELECT column_name FROM (SELECT c.table_schema, c.table_name, c.column_name, CAST(c.ordinal_position AS BIGINT) AS ordinal_position,
    CASE WHEN c.data_type LIKE '%[]' THEN 'NO' ELSE c.is_nullable END AS is_nullable,
    CASE WHEN c.data_type LIKE '%[]' THEN 'ARRAY<' || m.bq || '>' ELSE m.bq END AS data_type
    FROM information_schema.columns AS c
    LEFT JOIN (VALUES ('BIGINT', 'INT64'), ('INTEGER', 'INT64'), ('SMALLINT', 'INT64'), ('TINYINT', 'INT64'), ('HUGEINT', 'INT64'), ('UBIGINT', 'INT64'), ('UINTEGER', 'INT64'), ('USMALLINT', 'INT64'), ('UTINYINT', 'INT64'), ('DOUBLE', 'FLOAT64'), ('FLOAT', 'FLOAT64'), ('BOOLEAN', 'BOOL'), ('VARCHAR', 'STRING'), ('UUID', 'STRING'), ('BLOB', 'BYTES'), ('DATE', 'DATE'), ('TIME', 'TIME'), ('TIMESTAMP', 'TIMESTAMP'), ('TIMESTAMP WITH TIME ZONE', 'TIMESTAMP'), ('JSON', 'JSON'), ('INTERVAL', 'INTERVAL'), ('DECIMAL(38,9)', 'NUMERIC')) AS m(duck, bq)
      ON m.duck = regexp_replace(c.data_type, '\[\]$', '')
    WHERE c.table_catalog = current_database() AND c.table_schema = 'analytics') WHERE table_name = 'entity_risk_training_data' AND ordinal_position IS NOT NULL), column_count AS (SELECT COUNT(*) AS n FROM "columns"), final AS (SELECT 'column count must be 3 to 100' AS requirement, CAST(n AS TEXT) AS found FROM column_count WHERE n NOT BETWEEN 3 AND 100 UNION ALL SELECT 'column names: letters, digits, underscores; no leading underscore' AS requirement, column_name AS found FROM "columns" WHERE NOT regexp_matches(column_name, '^[A-Za-z0-9][A-Za-z0-9_]*$')) SELECT * FROM final

-- failures venezuelawatch.analytics_assertions.assert_entity_risk_training_data_columns_failures
create or replace table "analytics_assertions"."assert_entity_risk_training_data_columns_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."assert_entity_risk_training_data_columns"

-- assertion
select count(*) as row_count from "analytics_assertions"."assert_entity_risk_training_data_columns"
