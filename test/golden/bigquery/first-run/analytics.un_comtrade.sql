-- venezuelawatch.analytics.un_comtrade (table, create)
-- statement
create or replace table `venezuelawatch.analytics.un_comtrade` partition by period cluster by commodity_code as 

with records as (
  select * from `venezuelawatch.raw_economics.comtrade_records`
),

final as (
  select
    period,
    reporter_code,
    commodity_code,
    trade_flow,
    value_usd,
    if(length(period_code) = 6, 'monthly', 'annual') as frequency,
    classification,
    reporter,
    reporter_iso,
    partner_code,
    partner,
    partner_iso,
    commodity,
    net_weight_kg,
    qty,
    qty_unit
  from records
)

select * from final

-- metadata
alter table `venezuelawatch.analytics.un_comtrade` set options(description='UN Comtrade trade flows, one row per classification, frequency, period, reporter, partner, trade flow and commodity. Period, reporter, commodity and trade flow alone are not a key: a reporter reports each commodity once per partner.')

-- metadata
alter table `venezuelawatch.analytics.un_comtrade`
  alter column `period` set options(description='First day of the period (the year for annual data, the month for monthly data).'),
  alter column `reporter_code` set options(description='Reporter\'s Comtrade area code (Venezuela is 862).'),
  alter column `commodity_code` set options(description='Commodity code in the classification (TOTAL, a chapter or a heading).'),
  alter column `trade_flow` set options(description='Import, Export, Re-export or Re-import, as the reporter declares it.'),
  alter column `value_usd` set options(description='Trade value in US dollars.'),
  alter column `frequency` set options(description='annual or monthly.'),
  alter column `classification` set options(description='Commodity classification (HS, H4, S4, …).'),
  alter column `reporter` set options(description='Reporter name.'),
  alter column `reporter_iso` set options(description='Reporter ISO 3166-1 alpha-3 code.'),
  alter column `partner_code` set options(description='Partner\'s Comtrade area code; 0 is World (the reporter\'s total).'),
  alter column `partner` set options(description='Partner name.'),
  alter column `partner_iso` set options(description='Partner ISO 3166-1 alpha-3 code (WLD for World, VEN for Venezuela).'),
  alter column `commodity` set options(description='Commodity description.'),
  alter column `net_weight_kg` set options(description='Net weight in kilograms.'),
  alter column `qty` set options(description='Quantity, in qty_unit.'),
  alter column `qty_unit` set options(description='Unit of qty.')
