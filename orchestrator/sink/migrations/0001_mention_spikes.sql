-- The application's spike table, as the Django app defines it (data_pipeline.MentionSpike).
-- It may already exist when the application created it first: then only the unique key on
-- (event_id, spike_date), which the write-back relies on, is added if missing. Not-null
-- columns follow the nonNull assertion of the mention_spikes model.
create table if not exists data_pipeline_mentionspike (
  id bigserial primary key,
  event_id bigint not null,
  spike_date date not null,
  mention_count integer not null,
  baseline_avg double precision,
  baseline_stddev double precision,
  z_score double precision not null,
  confidence_level varchar(10) not null,
  detected_at timestamptz not null,
  constraint data_pipeline_mentionspike_event_id_spike_date_uniq unique (event_id, spike_date)
);

do $$
begin
  if not exists (
    select 1
    from pg_index as i
    where i.indrelid = 'data_pipeline_mentionspike'::regclass
      and i.indisunique
      and i.indnkeyatts = 2
      and (
        select array_agg(a.attname::text order by k.ord)
        from unnest(i.indkey::int2[]) with ordinality as k(attnum, ord)
        join pg_attribute as a
          on a.attrelid = i.indrelid
          and a.attnum = k.attnum
      ) in (array['event_id', 'spike_date'], array['spike_date', 'event_id'])
  ) then
    alter table data_pipeline_mentionspike
      add constraint data_pipeline_mentionspike_event_id_spike_date_uniq unique (event_id, spike_date);
  end if;
end
$$;

-- The write-back checks whether a batch's day range holds any rows before probing its keys.
create index if not exists data_pipeline_mentionspike_spike_date_idx on data_pipeline_mentionspike (spike_date);
