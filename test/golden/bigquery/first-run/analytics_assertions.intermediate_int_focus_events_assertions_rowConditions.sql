-- venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions` as 
SELECT
  'event_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_focus_events`
WHERE NOT (event_id IS NOT NULL)
UNION ALL
SELECT
  'added_at IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_focus_events`
WHERE NOT (added_at IS NOT NULL)

-- failures
create or replace table `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.intermediate_int_focus_events_assertions_rowConditions`
