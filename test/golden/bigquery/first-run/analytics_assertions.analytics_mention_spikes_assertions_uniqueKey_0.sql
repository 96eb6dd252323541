-- venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0 (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0` as 
SELECT
  *
FROM (
  SELECT
    event_id, spike_date,
    COUNT(1) AS index_row_count
  FROM `venezuelawatch.analytics.mention_spikes`
  GROUP BY event_id, spike_date
  ) AS data
WHERE index_row_count > 1

-- failures
create or replace table `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0_failures` as
select *, cast(@vwatch_run_id as string) as _vwatch_run_id, current_timestamp() as _vwatch_stored_at
from `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0`

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0`
