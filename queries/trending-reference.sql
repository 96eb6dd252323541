-- The reference time of vwatch query trending: --as-of when given, else the latest mention in
-- entity_mentions (not the current time: the data may be historical, and now would find
-- nothing). trending.sql includes this file, so the time printed is the time it ranked by.
--
-- It is computed in the warehouse, not read back and bound: the adapters return timestamps at
-- millisecond precision, which would push a mention at .123456 past a reference of .123.
--
-- Returns: reference_time (NULL when entity_mentions is empty).
-- Parameters: @as_of (only with --as-of; UTC, 'YYYY-MM-DD HH:MM:SS.ffffff').

select timestamp(@as_of) as reference_time -- if as_of
select max(mentioned_at) as reference_time from ${ref("entity_mentions")} -- if not as_of
