-- Contributions to an EHC case from outside the council (issue 13 items 5 and 6): a family's views
-- (section A), a school or college they ask for, their comments on a draft, and a professional's
-- advice as a structured form. Each is written in one transaction with the case event it records (the
-- event the statutory clock reads, `event_seq`) and, where one was uploaded, its document.
--
-- `content` is the contribution as JSON (waymark-contributions' `Contribution`); `late` marks comments
-- on a draft sent after the 15 days (SEND Regs 2014 reg 13(1)), which are still taken.

create table case_contribution (
    contribution_id    text primary key not null,
    case_id            text not null references ehc_case (case_id),
    kind               text not null check (kind in ('family_views', 'setting_request', 'draft_comments', 'advice')),
    content            text not null,
    event_seq          integer not null,
    document_id        text references case_document (document_id),
    late               integer not null default 0 check (late in (0, 1)),
    submitted_by       text,
    submitted_by_label text not null,
    submitted_at       text not null,
    foreign key (case_id, event_seq) references case_event (case_id, seq)
) strict;

create index case_contribution_case on case_contribution (case_id, submitted_at);
