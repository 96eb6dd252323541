-- venezuelawatch.analytics.world_bank (table, create)
-- statement
create or replace table `venezuelawatch.analytics.world_bank` partition by date cluster by indicator_id as 

with observations as (
  select * from `venezuelawatch.raw_economics.world_bank_observations`
),

final as (
  select
    indicator_id,
    date(year, 1, 1) as date,
    value,
    country_code,
    indicator_name,
    country_name
  from observations
)

select * from final

-- metadata
alter table `venezuelawatch.analytics.world_bank` set options(description='World Bank World Development Indicators, one row per indicator, country and year; date is the first day of the year.')

-- metadata
alter table `venezuelawatch.analytics.world_bank`
  alter column `indicator_id` set options(description='Indicator Code, e.g. NY.GDP.PCAP.CD (GDP per capita, current US$).'),
  alter column `date` set options(description='January 1 of the year the value is for.'),
  alter column `value` set options(description='Indicator value.'),
  alter column `country_code` set options(description='ISO 3166-1 alpha-3 code (VEN for Venezuela) or a World Bank aggregate code.'),
  alter column `indicator_name` set options(description='Indicator Name.'),
  alter column `country_name` set options(description='Country Name.')
