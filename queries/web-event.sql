-- vwatch ui, spike chart: what the event is, as int_focus_events and the application's events
-- table know it (the title is the events table's; a GDELT event's id there is its GLOBALEVENTID).
--
-- Returns: event_id, event_date (text), title, actor1, actor2, place, source_url; no row when the
--   event is not a tracked focus event.
-- Parameters: @event_id.

with focus as (
  select * from ${ref("int_focus_events")}
),

app_events as (
  select * from ${ref("events")}
),

final as (
  select
    focus.event_id as event_id,
    cast(focus.event_date as string) as event_date,
    app_events.title as title,
    focus.actor1_name as actor1,
    focus.actor2_name as actor2,
    focus.action_geo_full_name as place,
    focus.source_url as source_url
  from focus
  left join app_events
    on app_events.id = cast(focus.event_id as string)
  where focus.event_id = @event_id
)

select * from final
