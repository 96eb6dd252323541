-- A sync that was killed or cut off leaves its row at 'running'; the next sync marks it
-- 'abandoned'. To tell a live sync from a dead one, each sync holds a session-level advisory lock
-- derived from its run id while it runs, pg_advisory_lock(hashtextextended('vwatch-sync:' || run_id, 0)):
-- a 'running' row whose lock can be taken belongs to a session that is gone. backend_pid is the
-- sync's server process, for operators (pg_stat_activity).
alter table vwatch_sync_ledger drop constraint vwatch_sync_ledger_status_check;
alter table vwatch_sync_ledger
  add constraint vwatch_sync_ledger_status_check check (status in ('running', 'succeeded', 'failed', 'abandoned'));
alter table vwatch_sync_ledger add column backend_pid integer;
