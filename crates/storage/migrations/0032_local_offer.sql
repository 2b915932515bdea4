-- The Local Offer (issue 15): the postcode directory (ONSPD `pcds`, `lat`, `long`), organisations, their
-- locations and services. A service's row holds its published version; every version ever published
-- is kept in `lo_service_version` (append-only, like `child_history`), and every change a provider
-- proposes waits in `lo_change` until a Local Offer officer approves or rejects it. `lo_service_fts`
-- is the full-text index of published services (FTS5, Porter stemming), its rowid the service's.
-- `lo_event` counts searches and service views: filters only, the postcode cut to its outward code,
-- no user, no address, no cookie. `lo_provider` ties a "service provider" account to its
-- organisation. No child's data lives in these tables.

create table postcode (
    postcode   text primary key not null check (length(postcode) between 6 and 8),
    latitude   real not null check (latitude between -90 and 90),
    longitude  real not null check (longitude between -180 and 180)
) strict, without rowid;

create table lo_organisation (
    organisation_id text primary key not null,
    name            text not null,
    data            text not null,
    updated_at      text not null
) strict;

create table lo_location (
    location_id     text primary key not null,
    organisation_id text not null references lo_organisation (organisation_id),
    postcode        text not null,
    data            text not null,
    updated_at      text not null
) strict;

create table lo_service (
    service_id      text primary key not null,
    organisation_id text not null references lo_organisation (organisation_id),
    version         integer not null check (version >= 1),
    data            text not null,
    active          integer not null check (active in (0, 1)),
    last_checked    text not null,
    updated_at      text not null
) strict;

create index lo_service_organisation on lo_service (organisation_id);

create table lo_service_version (
    service_id   text not null references lo_service (service_id),
    version      integer not null,
    data         text not null,
    recorded_at  text not null,
    actor_label  text not null,
    reason       text not null,
    primary key (service_id, version)
) strict;

create trigger lo_service_version_no_update before update on lo_service_version
begin
    select raise(abort, 'lo_service_version is append-only: a change is recorded as a new version');
end;

create trigger lo_service_version_no_delete before delete on lo_service_version
begin
    select raise(abort, 'lo_service_version is append-only: a change is recorded as a new version');
end;

create table lo_change (
    change_id       text primary key not null,
    service_id      text not null,
    organisation_id text not null references lo_organisation (organisation_id),
    base_version    integer,
    proposed        text not null,
    status          text not null check (status in ('pending', 'approved', 'rejected')),
    proposed_by     text not null,
    proposed_at     text not null,
    decided_by      text,
    decided_at      text,
    reason          text
) strict;

create index lo_change_status on lo_change (status, proposed_at);
create index lo_change_service on lo_change (service_id);

create virtual table lo_service_fts using fts5 (name, body, tokenize = 'porter unicode61 remove_diacritics 2');

create table lo_event (
    event_id   integer primary key,
    day        text not null,
    kind       text not null check (kind in ('search', 'view')),
    service_id text,
    filters    text,
    results    integer
) strict;

create index lo_event_day on lo_event (kind, day);

create table lo_provider (
    user_id         text primary key not null references app_user (user_id),
    organisation_id text not null references lo_organisation (organisation_id),
    created_at      text not null
) strict;

-- Bumped by every change to what is published, so readers can cache the directory and reload it
-- only when it has changed.
create table lo_generation (
    id          integer primary key check (id = 1),
    generation  integer not null
) strict;

insert into lo_generation (id, generation) values (1, 0);
