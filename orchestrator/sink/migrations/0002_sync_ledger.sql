-- One row per `vwatch sync-spikes` run, failed ones included. A row left at status 'running'
-- belongs to a sync that was killed: its writes were rolled back with its transaction.
create table vwatch_sync_ledger (
  run_id text primary key,
  started_at timestamptz not null,
  finished_at timestamptz,
  since date,
  rows_read bigint,
  inserted bigint,
  already_present bigint,
  status text not null check (status in ('running', 'succeeded', 'failed')),
  error text
);

create index vwatch_sync_ledger_started_at_idx on vwatch_sync_ledger (started_at);
