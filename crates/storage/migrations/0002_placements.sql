-- Where a child or young person actually attends, over time (SEN2 module 5 PlacementDetail).
--
-- A placement is a dated fact about one child; `setting_key` is the setting as one text key (`urn:123456`,
-- `ukprn:10012345`, `code:EHE`) so a SENCO's "pupils at my setting" is one indexed lookup. `data` holds
-- the whole domain `Placement` as JSON. Ending a placement (a leaving date) writes a new version; the
-- history of versions is append-only.

create table placement (
    placement_id text primary key not null,
    child_id     text not null references child (child_id),
    la           text not null check (length(la) = 3),
    version      integer not null check (version >= 1),
    setting_key  text not null,
    entry_date   text not null,
    leaving_date text,
    data         text not null check (json_valid(data)),
    created_at   text not null,
    updated_at   text not null
) strict;

create index placement_child on placement (child_id);
create index placement_setting on placement (setting_key, entry_date);

create table placement_history (
    placement_id text not null references placement (placement_id),
    version      integer not null check (version >= 1),
    data         text not null check (json_valid(data)),
    recorded_at  text not null,
    actor        text not null,
    reason       text not null,
    primary key (placement_id, version)
) strict;

create trigger placement_history_no_update before update on placement_history
begin
    select raise(abort, 'placement_history is append-only: record a new version instead');
end;

create trigger placement_history_no_delete before delete on placement_history
begin
    select raise(abort, 'placement_history is append-only: record a new version instead');
end;
