-- venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions` as 
SELECT
  'mention_count >= 0' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (mention_count >= 0)
UNION ALL
SELECT
  'baseline_days >= 0' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (baseline_days >= 0)
UNION ALL
SELECT
  'stddev_used >= 1' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (stddev_used >= 1)
UNION ALL
SELECT
  '(confidence_level is not null) = is_spike' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT ((confidence_level is not null) = is_spike)
UNION ALL
SELECT
  'confidence_level in (\'HIGH\', \'MEDIUM\', \'LOW\')' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (confidence_level in ('HIGH', 'MEDIUM', 'LOW'))
UNION ALL
SELECT
  'event_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (event_id IS NOT NULL)
UNION ALL
SELECT
  'day IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (day IS NOT NULL)
UNION ALL
SELECT
  'mention_count IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (mention_count IS NOT NULL)
UNION ALL
SELECT
  'baseline_days IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (baseline_days IS NOT NULL)
UNION ALL
SELECT
  'stddev_used IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (stddev_used IS NOT NULL)
UNION ALL
SELECT
  'meets_min_history_days IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (meets_min_history_days IS NOT NULL)
UNION ALL
SELECT
  'meets_min_spike_mentions IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (meets_min_spike_mentions IS NOT NULL)
UNION ALL
SELECT
  'meets_z_threshold IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (meets_z_threshold IS NOT NULL)
UNION ALL
SELECT
  'is_spike IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.intermediate.int_mention_baselines`
WHERE NOT (is_spike IS NOT NULL)

-- failures
create or replace table `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.intermediate_int_mention_baselines_assertions_rowConditions`
