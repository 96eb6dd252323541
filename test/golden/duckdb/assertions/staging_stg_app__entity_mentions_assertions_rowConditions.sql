-- venezuelawatch.analytics_assertions.staging_stg_app__entity_mentions_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."staging_stg_app__entity_mentions_assertions_rowConditions" as SELECT 'id IS NOT NULL' AS failing_row_condition, * FROM "staging"."stg_app__entity_mentions" WHERE NOT (id IS NOT NULL) UNION ALL SELECT 'entity_id IS NOT NULL' AS failing_row_condition, * FROM "staging"."stg_app__entity_mentions" WHERE NOT (entity_id IS NOT NULL) UNION ALL SELECT 'event_id IS NOT NULL' AS failing_row_condition, * FROM "staging"."stg_app__entity_mentions" WHERE NOT (event_id IS NOT NULL) UNION ALL SELECT 'mentioned_at IS NOT NULL' AS failing_row_condition, * FROM "staging"."stg_app__entity_mentions" WHERE NOT (mentioned_at IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.staging_stg_app__entity_mentions_assertions_rowConditions_failures
create or replace table "analytics_assertions"."staging_stg_app__entity_mentions_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."staging_stg_app__entity_mentions_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."staging_stg_app__entity_mentions_assertions_rowConditions"
