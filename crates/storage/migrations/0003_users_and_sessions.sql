-- People who sign in to the web application, their roles, their sessions, failed sign-ins (for
-- throttling), which children a parent or young person may see, and which caseworker holds a case.
--
-- A user's role decides what they may see; the columns beside it say of what: `la` (the local authority
-- for LA staff, professionals and board members), `setting_key` (a SENCO's school, as `urn:123456`,
-- the same key as `placement.setting_key`) and `service` (a professional's advice party: `health`,
-- `social_care` or `educational_psychology`). `username` and `display_name` are personal data: they
-- are shown to administrators and never written to logs or the audit log, which name users by id.
--
-- Passwords are stored only as argon2id PHC strings. Sessions are stored by the SHA-256 of their
-- random token, so a copy of the database does not hold a usable cookie; the CSRF token of a session
-- lives beside it (the synchroniser-token pattern).

create table app_user (
    user_id       text primary key not null,
    username      text not null collate nocase unique,
    display_name  text not null,
    password_hash text not null,
    role          text not null check (role in ('la_caseworker', 'send_manager', 'la_admin', 'senco',
                      'health_professional', 'social_care_professional', 'educational_psychologist',
                      'parent_carer', 'young_person', 'board_member')),
    la            text check (la is null or length(la) = 3),
    setting_key   text,
    service       text check (service is null or service in ('health', 'social_care', 'educational_psychology')),
    active        integer not null default 1 check (active in (0, 1)),
    version       integer not null check (version >= 1),
    created_at    text not null,
    updated_at    text not null
) strict;

create index app_user_la on app_user (la);

-- The children a parent or carer (or a young person: their own record) may see.
create table app_user_child (
    user_id    text not null references app_user (user_id),
    child_id   text not null references child (child_id),
    created_at text not null,
    primary key (user_id, child_id)
) strict;

create index app_user_child_child on app_user_child (child_id);

create table web_session (
    token_hash   text primary key not null,
    user_id      text not null references app_user (user_id),
    csrf_token   text not null,
    created_at   text not null,
    expires_at   text not null,
    last_seen_at text not null
) strict;

create index web_session_user on web_session (user_id);

-- One row per failed sign-in; `key` is the SHA-256 of `account:<username>` or `ip:<address>`, so
-- neither is held in clear. Rows older than the throttling window are pruned on each sign-in.
create table login_failure (
    failure_id integer primary key autoincrement,
    key        text not null,
    at         text not null
) strict;

create index login_failure_key on login_failure (key, at);

-- The caseworker holding a case (one at a time; reassigning replaces the row).
create table case_assignment (
    case_id     text primary key not null references ehc_case (case_id),
    user_id     text not null references app_user (user_id),
    assigned_at text not null
) strict;

create index case_assignment_user on case_assignment (user_id);

-- A number that goes up whenever a child, case, placement or assignment changes, from any process, so
-- the web application can tell in one cheap read whether its cached caseload is still current.
create table data_generation (
    id         integer primary key check (id = 1),
    generation integer not null
) strict;

insert into data_generation (id, generation) values (1, 0);

create trigger data_generation_child_insert after insert on child
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_child_update after update on child
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_case_insert after insert on ehc_case
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_case_update after update on ehc_case
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_placement_insert after insert on placement
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_placement_update after update on placement
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_assignment_insert after insert on case_assignment
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_assignment_update after update on case_assignment
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_assignment_delete after delete on case_assignment
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_user_child_insert after insert on app_user_child
begin update data_generation set generation = generation + 1 where id = 1; end;

-- A case's advice requests by party, for "advice requests assigned to my service": the events hold
-- the party as JSON, so this index lets a professional's list be one indexed lookup.
create index case_event_advice_party on case_event (json_extract(event, '$.party'), case_id) where kind = 'advice_requested';
