-- Phase chaining (orchestrator/events/): what the Pub/Sub push handler must remember between
-- deliveries, which repeat (at-least-once) and arrive in any order.

-- A push delivery acknowledged (2xx): the same messageId delivered again does no work. A delivery
-- answered 5xx is not recorded, so Pub/Sub's redelivery (same messageId) is handled anew.
create table vwatch_event_deliveries (
  message_id text primary key,
  subscription text,
  run_id text,
  phase text,
  outcome text not null,
  acked_at timestamptz not null default now()
);

-- One row per (run, phase): the phase ran at most once per run. A delivery runs it holding the
-- session-level advisory lock hashtextextended('vwatch-phase:' || run_id || '/' || phase, 0): a
-- 'running' row whose lock is free belongs to a claimer that is gone, and may be taken over.
-- `claimed_by` is the messageId of the delivery that ran it last. `completion` is the phase's
-- completion event, kept so it can be published again when the process stopped between recording
-- it and publishing it (`published_at` empty).
create table vwatch_phase_executions (
  run_id text not null,
  phase text not null check (phase in ('transform', 'sync', 'check')),
  correlation_id text not null,
  as_of date,
  status text not null check (status in ('running', 'retrying', 'succeeded', 'failed', 'skipped')),
  attempts integer not null default 0,
  claimed_by text,
  counts jsonb not null default '{}'::jsonb,
  error text,
  completion jsonb,
  published_at timestamptz,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (run_id, phase)
);

create index vwatch_phase_executions_status_idx on vwatch_phase_executions (status);

-- Deliveries given up on: a malformed envelope or payload (retrying cannot help), or a phase that
-- failed on its 5th delivery attempt. `payload` is the message data as received (never secrets:
-- events carry ids, days and counts only).
create table vwatch_dead_letters (
  id bigserial primary key,
  message_id text,
  subscription text,
  run_id text,
  phase text,
  correlation_id text,
  reason text not null check (reason in ('malformed', 'attempts_exhausted')),
  error text not null,
  delivery_attempt integer,
  payload text,
  created_at timestamptz not null default now()
);

create index vwatch_dead_letters_created_at_idx on vwatch_dead_letters (created_at);
