-- vwatch ui, Indicators page: the loaded World Bank indicators of one country, one point per year.
--
-- Returns: indicator_id, indicator_name, country_code, date (text, January 1 of the year), value;
--   by indicator, country, then date.
-- Parameters: @country_code (ISO 3166-1 alpha-3, e.g. VEN).

with world_bank as (
  select * from ${ref("world_bank")}
)

select
  indicator_id,
  indicator_name,
  country_code,
  cast(date as string) as date,
  value
from world_bank
where country_code = @country_code
order by indicator_id, country_code, date
