-- Families' voice (issue 16): the log of compliments and complaints. Each row is one stage of a
-- complaint (stage 1, stage 2, the Local Government and Social Care Ombudsman, an appeal to the SEND
-- Tribunal) or a compliment, with the day it was received, the day it was answered and its outcome; a
-- complaint escalated to its next stage is a new row that names the row it follows. Time limits are
-- worked out in working days by `waymark_surveys::complaints`, not stored. A row may name the case it
-- is about: reads and writes of such rows are audited against that case and child.

create table complaint (
    complaint_id   text primary key not null,
    la             text not null check (length(la) = 3),
    stage          text not null check (stage in ('compliment', 'stage_1', 'stage_2', 'ombudsman', 'tribunal')),
    received_on    text not null,
    -- What it is about, briefly and without names: staff read it, nobody else.
    summary        text not null check (length(summary) between 1 and 2000),
    case_id        text references ehc_case (case_id),
    child_id       text,
    follows        text references complaint (complaint_id),
    responded_on   text check (responded_on is null or responded_on >= received_on),
    outcome        text check (outcome in ('upheld', 'partly_upheld', 'not_upheld', 'withdrawn', 'conceded')),
    version        integer not null check (version >= 1),
    recorded_at    text not null,
    actor          text not null,
    check ((case_id is null) = (child_id is null))
) strict;

create index complaint_la on complaint (la, received_on);
