-- Families' voice (issue 16): surveys staff build and publish at a public link, the anonymous
-- responses to them, the contact details a respondent chose to leave (kept apart, read by named roles
-- only and audited), the themes staff tag free text with, and the surveys sent to families at a point
-- of the EHC process (linked to the case only to count response rates).

create table survey (
    survey_id     text primary key not null,
    la            text not null check (length(la) = 3),
    title         text not null,
    definition    text not null check (json_valid(definition)),
    status        text not null check (status in ('draft', 'open', 'closed')),
    -- The public link's token (`/s/{token}`): it opens the questions only, never the results.
    public_token  text unique,
    -- A point of the EHC process at which the survey is sent to the family automatically.
    send_when     text check (send_when in ('final_plan_issued', 'annual_review')),
    version       integer not null check (version >= 1),
    created_at    text not null,
    updated_at    text not null
) strict;

create index survey_la on survey (la);

-- A visit to a public survey: a one-time token in the form, consumed by the response, so one visit
-- sends one response. Holds nothing about the visitor; pruned after a day.
create table survey_visit (
    visit_hash    text primary key not null,
    survey_id     text not null references survey (survey_id),
    created_at    text not null
) strict;

create table survey_response (
    response_id   text primary key not null,
    survey_id     text not null references survey (survey_id),
    -- The day only: no time, address or browser is kept.
    received_on   text not null,
    answers       text not null check (json_valid(answers)),
    -- Set only for a survey sent at a point of a case, to count response rates; reported in aggregate.
    case_id       text
) strict;

create index survey_response_survey on survey_response (survey_id);

create table survey_contact (
    response_id   text primary key not null references survey_response (response_id),
    contact       text not null check (json_valid(contact))
) strict;

create table survey_tag (
    response_id   text not null references survey_response (response_id),
    question_id   text not null,
    theme         text not null,
    tagged_at     text not null,
    actor         text not null,
    primary key (response_id, question_id, theme)
) strict;

-- A survey sent to a case's family at a point of the EHC process; the token opens the survey for them.
create table survey_send (
    send_id       text primary key not null,
    survey_id     text not null references survey (survey_id),
    case_id       text not null,
    sent_on       text not null,
    token         text not null unique,
    unique (survey_id, case_id, sent_on)
) strict;
