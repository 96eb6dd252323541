-- venezuelawatch.analytics_assertions.analytics_un_comtrade_assertions_rowConditions
-- statement
create or replace view "analytics_assertions"."analytics_un_comtrade_assertions_rowConditions" as SELECT 'trade_flow in (''Import'', ''Export'', ''Re-export'', ''Re-import'')' AS failing_row_condition, * FROM "analytics"."un_comtrade" WHERE NOT (trade_flow IN ('Import', 'Export', 'Re-export', 'Re-import')) UNION ALL SELECT 'period IS NOT NULL' AS failing_row_condition, * FROM "analytics"."un_comtrade" WHERE NOT (period IS NOT NULL) UNION ALL SELECT 'reporter_code IS NOT NULL' AS failing_row_condition, * FROM "analytics"."un_comtrade" WHERE NOT (reporter_code IS NOT NULL) UNION ALL SELECT 'partner_code IS NOT NULL' AS failing_row_condition, * FROM "analytics"."un_comtrade" WHERE NOT (partner_code IS NOT NULL) UNION ALL SELECT 'commodity_code IS NOT NULL' AS failing_row_condition, * FROM "analytics"."un_comtrade" WHERE NOT (commodity_code IS NOT NULL) UNION ALL SELECT 'trade_flow IS NOT NULL' AS failing_row_condition, * FROM "analytics"."un_comtrade" WHERE NOT (trade_flow IS NOT NULL) UNION ALL SELECT 'value_usd IS NOT NULL' AS failing_row_condition, * FROM "analytics"."un_comtrade" WHERE NOT (value_usd IS NOT NULL)

-- failures venezuelawatch.analytics_assertions.analytics_un_comtrade_assertions_rowConditions_failures
create or replace table "analytics_assertions"."analytics_un_comtrade_assertions_rowConditions_failures" as select *, cast($vwatch_run_id as varchar) as _vwatch_run_id, current_timestamp as _vwatch_stored_at from "analytics_assertions"."analytics_un_comtrade_assertions_rowConditions"

-- assertion
select count(*) as row_count from "analytics_assertions"."analytics_un_comtrade_assertions_rowConditions"
