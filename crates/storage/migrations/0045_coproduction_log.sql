-- Families' voice (issue 16): the co-production log. Meetings and events held with the parent carer
-- forum, parents and carers, children and young people: who took part by group and number (never
-- names), what was decided, and the strategy deliverables (by reference, such as B7) it informed.

create table coproduction (
    coproduction_id text primary key not null,
    la              text not null check (length(la) = 3),
    held_on         text not null,
    kind            text not null check (kind in ('meeting', 'workshop', 'event')),
    title           text not null,
    -- [["parent_carer_forum", 4], ["young_people", 6]]
    took_part       text not null check (json_valid(took_part)),
    decided         text not null,
    -- ["B7", "D2"]
    deliverables    text not null check (json_valid(deliverables)),
    recorded_at     text not null,
    actor           text not null
) strict;

create index coproduction_la on coproduction (la, held_on);
