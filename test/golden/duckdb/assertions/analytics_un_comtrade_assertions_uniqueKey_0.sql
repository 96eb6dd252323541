-- venezuelawatch.analytics_assertions.analytics_un_comtrade_assertions_uniqueKey_0
-- statement
create or replace view "analytics_assertions"."analytics_un_comtrade_assertions_uniqueKey_0" as SELECT * FROM (SELECT classification, frequency, period, reporter_code, partner_code, trade_flow, commodity_code, COUNT(1) AS index_row_count FROM "analytics"."un_comtrade" GROUP BY classification, frequency, period, reporter_code, partner_code, trade_flow, commodity_code) AS data WHERE index_row_count > 1

-- failures venezuelawatch.analytics_assertions.analytics_un_comtrade_assertions_uniqueKey_0_failures
create or replace table "analytics_assertions"."analytics_un_comtrade_assertions_uniqueKey_0_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."analytics_un_comtrade_assertions_uniqueKey_0"

-- assertion
select count(*) as row_count from "analytics_assertions"."analytics_un_comtrade_assertions_uniqueKey_0"
