-- vwatch ui, Indicators page: Comtrade totals: each reporter's trade with the World (partner "0"),
-- summed per trade flow, frequency and period over the top-level commodity codes (TOTAL where the
-- data has it, else the classification's shortest codes: SITC sections, HS chapters), so no value
-- is counted twice.
--
-- Returns: trade_flow, frequency, period (text, YYYY-MM-DD), value_usd; by flow, frequency, period.
-- Parameters: none.

with comtrade as (
  select * from ${ref("un_comtrade")}
),

world as (
  select
    classification,
    trade_flow,
    frequency,
    period,
    value_usd,
    case when commodity_code = 'TOTAL' then 0 else length(commodity_code) end as code_level
  from comtrade
  where partner_code = '0'
),

top_levels as (
  select
    classification,
    min(code_level) as code_level
  from world
  group by classification
),

final as (
  select
    world.trade_flow as trade_flow,
    world.frequency as frequency,
    cast(world.period as string) as period,
    sum(world.value_usd) as value_usd
  from world
  inner join top_levels
    on world.classification = top_levels.classification
    and world.code_level = top_levels.code_level
  group by
    world.trade_flow,
    world.frequency,
    world.period
)

select * from final
order by trade_flow, frequency, period
