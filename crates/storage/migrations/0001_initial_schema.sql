-- Waymark's first schema: children, EHC cases as their event history, and the audit log.
--
-- Conventions: singular table names; `<table>_id` keys holding UUIDs as text; timestamps as RFC 3339
-- UTC text with microseconds (`2026-01-05T09:00:00.000000Z`), so text order is time order; dates as
-- ISO 8601 (`2026-01-05`); whole domain values as JSON, written and re-read by the domain's own serde
-- rules. `la` is the responsible local authority's 3-digit DfE number: every query is scoped by it.
--
-- The current state (`child`, `ehc_case`) can be rebuilt from the history tables (`child_history`,
-- `case_event`), which, like `audit_log`, are append-only: triggers refuse every UPDATE and DELETE.

-- A child or young person: the latest version, plus the identifiers other systems look them up by.
create table child (
    child_id    text primary key not null,
    la          text not null check (length(la) = 3),
    version     integer not null check (version >= 1),
    data        text not null check (json_valid(data)),
    upn         text,
    uln         text,
    nhs_number  text,
    created_at  text not null,
    updated_at  text not null
) strict;

create index child_la on child (la);
create index child_upn on child (upn) where upn is not null;
create index child_uln on child (uln) where uln is not null;
create index child_nhs_number on child (nhs_number) where nhs_number is not null;

-- Every version of every child, as written: who, when, why, and the whole record.
create table child_history (
    child_id    text not null references child (child_id),
    version     integer not null check (version >= 1),
    data        text not null check (json_valid(data)),
    recorded_at text not null,
    actor       text not null,
    reason      text not null,
    primary key (child_id, version)
) strict;

-- An EHC case. Its state is the replay of its events; `version` is the number of events and `stage`
-- the stage they lead to, kept here for listing and concurrency checks.
create table ehc_case (
    case_id     text primary key not null,
    child_id    text not null references child (child_id),
    la          text not null check (length(la) = 3),
    version     integer not null check (version >= 1),
    stage       text not null,
    created_at  text not null,
    updated_at  text not null
) strict;

create index ehc_case_child on ehc_case (child_id);
create index ehc_case_la on ehc_case (la);

-- The dated events of each case, numbered 1, 2, 3... in the order they were recorded.
create table case_event (
    case_id     text not null references ehc_case (case_id),
    seq         integer not null check (seq >= 1),
    occurred_on text not null,
    kind        text not null,
    event       text not null check (json_valid(event)),
    recorded_at text not null,
    actor       text not null,
    reason      text not null,
    primary key (case_id, seq)
) strict;

-- Who read or changed which record, and when. Ids and action words only: never names, dates of birth
-- or other personal data. `la` is the record's local authority, so each LA sees its own entries.
create table audit_log (
    audit_id    integer primary key autoincrement,
    at          text not null,
    actor       text not null,
    action      text not null check (action in ('read', 'create', 'update')),
    subject     text not null,
    la          text,
    child_id    text,
    case_id     text
) strict;

create index audit_log_child on audit_log (child_id) where child_id is not null;
create index audit_log_case on audit_log (case_id) where case_id is not null;

-- Append-only: history, events and the audit log are never changed or removed.
create trigger child_history_no_update before update on child_history
begin
    select raise(abort, 'child_history is append-only: a change is recorded as a new version');
end;

create trigger child_history_no_delete before delete on child_history
begin
    select raise(abort, 'child_history is append-only: a change is recorded as a new version');
end;

create trigger case_event_no_update before update on case_event
begin
    select raise(abort, 'case_event is append-only: a correction is recorded as a new event');
end;

create trigger case_event_no_delete before delete on case_event
begin
    select raise(abort, 'case_event is append-only: a correction is recorded as a new event');
end;

create trigger audit_log_no_update before update on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;

create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'audit_log is append-only');
end;
