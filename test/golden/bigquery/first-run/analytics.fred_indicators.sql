-- venezuelawatch.analytics.fred_indicators (table, create)
-- statement
create or replace table `venezuelawatch.analytics.fred_indicators` partition by DATE_TRUNC(date, MONTH) cluster by series_id as 

with observations as (
  select * from `venezuelawatch.raw_economics.fred_observations`
),

final as (
  select
    series_id,
    date,
    value,
    series_name,
    units
  from observations
)

select * from final

-- metadata
alter table `venezuelawatch.analytics.fred_indicators` set options(description='FRED economic series (oil prices and others), one row per series and observation date. Days FRED marks missing are absent, not zero.')

-- metadata
alter table `venezuelawatch.analytics.fred_indicators`
  alter column `series_id` set options(description='FRED series id, e.g. DCOILWTICO (WTI crude) or DCOILBRENTEU (Brent crude).'),
  alter column `date` set options(description='Observation date.'),
  alter column `value` set options(description='Observed value, in units.'),
  alter column `series_name` set options(description='Series title (NULL when the loader did not know it and none was given).'),
  alter column `units` set options(description='Units of value, e.g. Dollars per Barrel.')
