-- One row per run of the project's actions, whoever started it (the CLI, CI, the server, a
-- schedule) and wherever it ran. A row left at 'running' by a process that died is marked
-- 'interrupted' by the server that owned it (SIGTERM) or by the next server to start.
create table vwatch_runs (
  id text primary key,
  trigger text not null check (trigger in ('cli', 'server', 'ci', 'schedule', 'event')),
  correlation_id text not null,
  idempotency_key text,
  ran_on text not null check (ran_on in ('duckdb', 'bigquery', 'dataform')),
  selection jsonb not null default '{}'::jsonb,
  vars jsonb not null default '{}'::jsonb,
  full_refresh boolean not null default false,
  as_of date,
  started_at timestamptz not null,
  ended_at timestamptz,
  status text not null check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted')),
  actions jsonb not null default '[]'::jsonb,
  progress jsonb,
  sync jsonb,
  checks jsonb,
  error text
);

-- A retried trigger (Cloud Scheduler resends the same key) finds the run it started: the key is
-- unique, so concurrent requests with one key make one row whatever the servers' memory says.
create unique index vwatch_runs_idempotency_key_idx on vwatch_runs (idempotency_key) where idempotency_key is not null;
-- At most one unfinished run per warehouse: a second trigger is refused, not queued.
create unique index vwatch_runs_one_active_idx on vwatch_runs (ran_on) where status in ('queued', 'running');
create index vwatch_runs_started_at_idx on vwatch_runs (started_at desc);
