-- venezuelawatch.intermediate.int_gdelt_events (incremental, merge)
-- statement
merge `venezuelawatch.intermediate.int_gdelt_events` T
using (

with focus_events as (
  select * from `venezuelawatch.intermediate.int_focus_events`
),

scored as (
  select
    *,
    round(0.7 * (10 - coalesce(goldstein_scale, 0)) * 5 + 0.3 * least(greatest(50 - 5 * coalesce(avg_tone, 0), 0), 100), 2) as risk_score
  from focus_events
),

final as (
  select
    event_id as gdelt_event_id,
    concat(
      coalesce(case event_root_code when '10' then 'Demand' when '11' then 'Disapprove' when '12' then 'Reject' when '13' then 'Threaten' when '14' then 'Protest' when '15' then 'Exhibit military posture' when '16' then 'Reduce relations' when '17' then 'Coerce' when '18' then 'Assault' when '19' then 'Fight' when '20' then 'Use unconventional mass violence' when '01' then 'Make public statement' when '02' then 'Appeal' when '03' then 'Express intent to cooperate' when '04' then 'Consult' when '05' then 'Engage in diplomatic cooperation' when '06' then 'Engage in material cooperation' when '07' then 'Provide aid' when '08' then 'Yield' when '09' then 'Investigate' end, 'Event'),
      ': ',
      coalesce(nullif(actor1_name, ''), 'unknown actor'),
      coalesce(concat(' / ', nullif(actor2_name, '')), '')
    ) as title,
    source_url,
    regexp_extract(source_url, r'^[a-zA-Z]+://(?:www\.)?([^/:?#]+)') as source_name,
    case when starts_with(event_code, '163') then 'sanctions' when event_root_code in ('01', '02', '03', '04', '05') then 'diplomacy' when event_root_code in ('06', '07', '08') then 'cooperation' when event_root_code in ('09', '10', '11', '12') then 'dispute' when event_root_code in ('13', '15', '16') then 'tension' when event_root_code in ('14') then 'protest' when event_root_code in ('17') then 'coercion' when event_root_code in ('18', '19', '20') then 'violence' else 'other' end as event_type,
    action_geo_full_name as location,
    risk_score,
    case
      when risk_score >= 80 then 'SEV1_CRITICAL'
      when risk_score >= 60 then 'SEV2_HIGH'
      when risk_score >= 40 then 'SEV3_MEDIUM'
      when risk_score >= 20 then 'SEV4_LOW'
      else 'SEV5_MINIMAL'
    end as severity,
    added_at as mentioned_at,
    event_date,
    actor1_name,
    actor2_name,
    actor1_type_code,
    actor2_type_code,
    event_code,
    event_root_code,
    quad_class,
    goldstein_scale,
    avg_tone,
    num_mentions
  from scored
)

select * from final

) S
on T.gdelt_event_id = S.gdelt_event_id
  and T.mentioned_at >= timestamp(date_sub(date '2015-02-18', interval 30 day))
when matched then
  update set `gdelt_event_id` = S.gdelt_event_id,`title` = S.title,`source_url` = S.source_url,`source_name` = S.source_name,`event_type` = S.event_type,`location` = S.location,`risk_score` = S.risk_score,`severity` = S.severity,`mentioned_at` = S.mentioned_at,`event_date` = S.event_date,`actor1_name` = S.actor1_name,`actor2_name` = S.actor2_name,`actor1_type_code` = S.actor1_type_code,`actor2_type_code` = S.actor2_type_code,`event_code` = S.event_code,`event_root_code` = S.event_root_code,`quad_class` = S.quad_class,`goldstein_scale` = S.goldstein_scale,`avg_tone` = S.avg_tone,`num_mentions` = S.num_mentions
when not matched then
  insert (`gdelt_event_id`,`title`,`source_url`,`source_name`,`event_type`,`location`,`risk_score`,`severity`,`mentioned_at`,`event_date`,`actor1_name`,`actor2_name`,`actor1_type_code`,`actor2_type_code`,`event_code`,`event_root_code`,`quad_class`,`goldstein_scale`,`avg_tone`,`num_mentions`) values (`gdelt_event_id`,`title`,`source_url`,`source_name`,`event_type`,`location`,`risk_score`,`severity`,`mentioned_at`,`event_date`,`actor1_name`,`actor2_name`,`actor1_type_code`,`actor2_type_code`,`event_code`,`event_root_code`,`quad_class`,`goldstein_scale`,`avg_tone`,`num_mentions`)

-- metadata
alter table `venezuelawatch.intermediate.int_gdelt_events` set options(description='Focus GDELT events mapped to the application\'s event shape (type, title, risk score, severity; see includes/gdelt_events.js). Incremental, so events stay after they leave the tracking window. One row per GDELT event.')

-- metadata
alter table `venezuelawatch.intermediate.int_gdelt_events`
  alter column `gdelt_event_id` set options(description='GLOBALEVENTID.'),
  alter column `title` set options(description='Root action and actors, e.g. \'Protest: VENEZUELA / OPPOSITION\'.'),
  alter column `source_url` set options(description='First article URL.'),
  alter column `source_name` set options(description='Host name of the first article, without www.'),
  alter column `event_type` set options(description='Category from the CAMEO code: sanctions (163), diplomacy, cooperation, dispute, tension, protest, coercion, violence, other.'),
  alter column `location` set options(description='ActionGeo_FullName.'),
  alter column `risk_score` set options(description='0-100: 70% inverted Goldstein scale, 30% negative tone.'),
  alter column `severity` set options(description='SEV1_CRITICAL (risk >= 80) … SEV5_MINIMAL (< 20).'),
  alter column `mentioned_at` set options(description='When GDELT added the event (DATEADDED).'),
  alter column `event_date` set options(description='Date the article claims for the event (SQLDATE).'),
  alter column `actor1_name` set options(description='Name of actor 1.'),
  alter column `actor2_name` set options(description='Name of actor 2.'),
  alter column `actor1_type_code` set options(description='CAMEO type of actor 1 (GOV, MIL, BUS, …).'),
  alter column `actor2_type_code` set options(description='CAMEO type of actor 2.'),
  alter column `event_code` set options(description='CAMEO event code.'),
  alter column `event_root_code` set options(description='CAMEO root code.'),
  alter column `quad_class` set options(description='GDELT QuadClass.'),
  alter column `goldstein_scale` set options(description='Goldstein scale.'),
  alter column `avg_tone` set options(description='Average tone.'),
  alter column `num_mentions` set options(description='GDELT\'s initial mention count.')
