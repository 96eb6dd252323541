-- venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_uniqueKey_0 (assertion)
-- statement
create or replace view `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_uniqueKey_0` as 
SELECT
  *
FROM (
  SELECT
    event_id, mention_date,
    COUNT(1) AS index_row_count
  FROM `venezuelawatch.intermediate.int_mentions_counted_daily`
  GROUP BY event_id, mention_date
  ) AS data
WHERE index_row_count > 1

-- assertion
select sum(1) as row_count from `venezuelawatch.analytics_assertions.intermediate_int_mentions_counted_daily_assertions_uniqueKey_0`
