-- vwatch ui, Indicators page: the loaded FRED series, one point per observation.
--
-- Returns: series_id, series_name, units, date (text, YYYY-MM-DD), value; by series, then date.
-- Parameters: none.

with fred as (
  select * from ${ref("fred_indicators")}
)

select
  series_id,
  series_name,
  units,
  cast(date as string) as date,
  value
from fred
order by series_id, date
