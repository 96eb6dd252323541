-- venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions` as 
SELECT
  'mention_count >= 0' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (mention_count >= 0)
UNION ALL
SELECT
  'confidence_level in (\'HIGH\', \'MEDIUM\', \'LOW\')' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (confidence_level in ('HIGH', 'MEDIUM', 'LOW'))
UNION ALL
SELECT
  'event_id IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (event_id IS NOT NULL)
UNION ALL
SELECT
  'spike_date IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (spike_date IS NOT NULL)
UNION ALL
SELECT
  'mention_count IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (mention_count IS NOT NULL)
UNION ALL
SELECT
  'z_score IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (z_score IS NOT NULL)
UNION ALL
SELECT
  'confidence_level IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (confidence_level IS NOT NULL)
UNION ALL
SELECT
  'detected_at IS NOT NULL' AS failing_row_condition,
  *
FROM `venezuelawatch.analytics.mention_spikes`
WHERE NOT (detected_at IS NOT NULL)

-- failures
create or replace table `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_rowConditions`
