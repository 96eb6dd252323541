-- A server running a run refreshes heartbeat_at while it runs (ledger/heartbeat.ts). On BigQuery
-- and the Dataform service several server instances share the ledger, so none may mark every
-- unfinished run interrupted when it starts, as a DuckDB server does; instead a claim finds a run
-- whose heartbeat stopped (its instance was killed without SIGTERM: out of memory, a crash) and
-- marks it interrupted, so that the warehouse is not refused to new triggers forever.
alter table vwatch_runs add column heartbeat_at timestamptz;
update vwatch_runs set heartbeat_at = coalesce(ended_at, started_at);
