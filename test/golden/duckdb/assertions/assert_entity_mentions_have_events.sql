-- venezuelawatch.analytics_assertions.assert_entity_mentions_have_events
-- statement
create or replace view "analytics_assertions"."assert_entity_mentions_have_events" as WITH mentions AS (SELECT * FROM "analytics"."entity_mentions"), events AS (SELECT id FROM "analytics"."events"), entities AS (SELECT id FROM "analytics"."entities"), final AS (SELECT mentions.id, mentions.entity_id, mentions.event_id, events.id IS NULL AS event_missing, entities.id IS NULL AS entity_missing FROM mentions LEFT JOIN events ON mentions.event_id = events.id LEFT JOIN entities ON mentions.entity_id = entities.id WHERE events.id IS NULL OR entities.id IS NULL) SELECT * FROM final

-- failures venezuelawatch.analytics_assertions.assert_entity_mentions_have_events_failures
create or replace table "analytics_assertions"."assert_entity_mentions_have_events_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."assert_entity_mentions_have_events"

-- assertion
select count(*) as row_count from "analytics_assertions"."assert_entity_mentions_have_events"
