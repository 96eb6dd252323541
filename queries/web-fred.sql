-- vwatch ui, Indicators page: the loaded FRED series as small charts, one point per month (the
-- mean of the month's observations): a daily series has thousands of points, more than a small
-- chart can show, and the page must stay fast.
--
-- Returns: series_id, series_name, units, date (text, YYYY-MM-DD, the month's first day),
--   value (the month's mean), observations; by series, then date.
-- Parameters: none.

with fred as (
  select * from ${ref("fred_indicators")}
),

monthly as (
  select
    series_id,
    date_trunc(date, month) as month,
    avg(value) as value,
    count(value) as observations
  from fred
  group by
    series_id,
    month
),

names as (
  select
    series_id,
    max(series_name) as series_name,
    max(units) as units
  from fred
  group by series_id
),

final as (
  select
    monthly.series_id as series_id,
    names.series_name as series_name,
    names.units as units,
    cast(monthly.month as string) as date,
    monthly.value as value,
    monthly.observations as observations
  from monthly
  inner join names
    on monthly.series_id = names.series_id
)

select * from final
order by series_id, date
