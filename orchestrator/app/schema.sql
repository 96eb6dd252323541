-- The application's own tables that the warehouse reads through EXTERNAL_QUERY, for local use
-- (the demo and tests). In production the application owns and migrates them; nothing here runs
-- against its database unless `vwatch seed-app-data` is pointed at it. Every statement is
-- idempotent.
create table if not exists entities_entity (
  id uuid primary key,
  name varchar(255) not null unique,
  -- person, organization, government or location
  entity_type varchar(50) not null,
  created_at timestamptz not null default now()
);

create table if not exists events_event (
  id uuid primary key,
  -- where the application got the event: GDELT, …
  source varchar(50) not null,
  gdelt_event_id bigint unique,
  event_type varchar(50),
  title varchar(500) not null,
  content text,
  source_url text,
  source_name varchar(255),
  location varchar(255),
  risk_score double precision check (risk_score between 0 and 100),
  severity varchar(20),
  -- {"sanctions": n, "political": n, "economic": n, "supply_chain": n}, each 0-100
  risk_dimensions jsonb,
  mentioned_at timestamptz not null,
  created_at timestamptz not null default now()
);

create index if not exists events_event_mentioned_at_idx on events_event (mentioned_at);

create table if not exists entities_entitymention (
  id uuid primary key,
  entity_id uuid not null references entities_entity (id),
  event_id uuid not null references events_event (id),
  mentioned_at timestamptz not null,
  context text,
  created_at timestamptz not null default now()
);

create index if not exists entities_entitymention_entity_id_idx on entities_entitymention (entity_id, mentioned_at);
create index if not exists entities_entitymention_event_id_idx on entities_entitymention (event_id);
