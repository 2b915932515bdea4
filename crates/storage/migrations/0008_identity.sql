-- Identity across agencies (docs/identity.md, ADR 0012): a review queue of pairs of children that may
-- be the same person, and merges of two child records that can be undone exactly.
--
-- A merge never deletes: the absorbed child's row stays, with `merged_into` naming the kept child, and
-- the rows moved to the kept child are listed in `child_merge.moved` so an unmerge moves exactly those
-- back. `child_merge` and `child_unmerge` are append-only. Reasons for review name fields and outcomes,
-- never values: no personal data.

alter table child add column merged_into text references child (child_id);

create table child_merge (
    merge_id  integer primary key autoincrement,
    la        text not null check (length(la) = 3),
    kept      text not null references child (child_id),
    absorbed  text not null references child (child_id),
    moved     text not null check (json_valid(moved)),
    actor     text not null,
    reason    text not null,
    at        text not null,
    check (kept <> absorbed)
) strict;

create index child_merge_absorbed on child_merge (absorbed);

create table child_unmerge (
    merge_id integer primary key not null references child_merge (merge_id),
    actor    text not null,
    reason   text not null,
    at       text not null
) strict;

create trigger child_merge_no_update before update on child_merge
begin
    select raise(abort, 'child_merge is append-only: an unmerge is recorded in child_unmerge');
end;

create trigger child_merge_no_delete before delete on child_merge
begin
    select raise(abort, 'child_merge is append-only: an unmerge is recorded in child_unmerge');
end;

create trigger child_unmerge_no_update before update on child_unmerge
begin
    select raise(abort, 'child_unmerge is append-only');
end;

create trigger child_unmerge_no_delete before delete on child_unmerge
begin
    select raise(abort, 'child_unmerge is append-only');
end;

-- Pairs for a person to decide. `child_a < child_b`, so each unordered pair appears once.
create table identity_review (
    review_id       integer primary key autoincrement,
    la              text not null check (length(la) = 3),
    child_a         text not null references child (child_id),
    child_b         text not null references child (child_id),
    score           real not null,
    band            text not null check (band in ('match', 'review')),
    reasons         text not null check (json_valid(reasons)),
    status          text not null default 'open' check (status in ('open', 'merged', 'rejected')),
    created_at      text not null,
    decided_by      text,
    decided_at      text,
    decision_reason text,
    merge_id        integer references child_merge (merge_id),
    check (child_a < child_b),
    unique (child_a, child_b)
) strict;

create index identity_review_open on identity_review (la, status);
