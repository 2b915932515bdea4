-- Families' voice (issue 16): "was this helpful?" feedback on public pages and the family's own EHC
-- journey (anonymous: the page it was about, yes or no, and what they chose to tell us), and the
-- "you said, we did" entries staff publish, each linked to the themes and survey it answers.

create table feedback (
    feedback_id   text primary key not null,
    -- The page the feedback is about: a path on this service, such as /local-offer/services/12.
    about         text not null,
    helpful       integer check (helpful in (0, 1)),
    comment       text not null,
    received_on   text not null
) strict;

create index feedback_received on feedback (received_on);

create table you_said_we_did (
    entry_id      text primary key not null,
    la            text not null check (length(la) = 3),
    you_said      text not null,
    we_did        text not null,
    themes        text not null check (json_valid(themes)),
    survey_id     text references survey (survey_id),
    published_on  text not null,
    actor         text not null
) strict;

create index you_said_we_did_la on you_said_we_did (la, published_on);
