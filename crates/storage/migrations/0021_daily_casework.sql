-- Daily casework (issue 11): when each user last opened a page (for "changed since your last visit"),
-- each user's personal calendar feed token (stored only as its SHA-256, like session tokens), and the
-- names of schools and settings from the GIAS establishments extract.

create table user_last_visit (
    user_id   text not null references app_user (user_id),
    page      text not null,
    at        text not null,
    primary key (user_id, page)
) strict;

create table calendar_token (
    user_id     text primary key not null references app_user (user_id),
    token_hash  text not null unique check (length(token_hash) = 64),
    created_at  text not null
) strict;

create table establishment (
    urn          text primary key not null check (length(urn) between 1 and 6),
    name         text not null,
    la           text not null check (length(la) = 3),
    la_name      text not null,
    kind         text not null,
    phase        text not null,
    postcode     text not null,
    status       text not null,
    updated_at   text not null
) strict;

create index establishment_la on establishment (la);
