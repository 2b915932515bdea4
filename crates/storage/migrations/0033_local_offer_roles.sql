-- no-transaction
-- The Local Offer's two roles (issue 15): `service_provider` (keeps its organisation's listings, tied
-- to it in `lo_provider`) and `local_offer_officer` (the LA officer who approves providers' changes).
-- SQLite cannot change a CHECK constraint in place, so `app_user` is rebuilt as SQLite's ALTER TABLE
-- guide says: foreign keys off, copy, drop, rename, check, foreign keys on. The rows and every
-- reference to them are unchanged.
-- MERGING: another capability that adds roles rebuilds this table too; its list must include these two.

PRAGMA foreign_keys = OFF;

BEGIN;

create table app_user_rebuilt (
    user_id       text primary key not null,
    username      text not null collate nocase unique,
    display_name  text not null,
    password_hash text not null,
    role          text not null check (role in ('la_caseworker', 'send_manager', 'la_admin', 'senco',
                      'health_professional', 'social_care_professional', 'educational_psychologist',
                      'parent_carer', 'young_person', 'board_member', 'service_provider', 'local_offer_officer')),
    la            text check (la is null or length(la) = 3),
    setting_key   text,
    service       text check (service is null or service in ('health', 'social_care', 'educational_psychology')),
    active        integer not null default 1 check (active in (0, 1)),
    version       integer not null check (version >= 1),
    created_at    text not null,
    updated_at    text not null
) strict;

insert into app_user_rebuilt (user_id, username, display_name, password_hash, role, la, setting_key, service, active, version, created_at, updated_at)
    select user_id, username, display_name, password_hash, role, la, setting_key, service, active, version, created_at, updated_at from app_user;

drop table app_user;

alter table app_user_rebuilt rename to app_user;

create index app_user_la on app_user (la);

PRAGMA foreign_key_check;

COMMIT;

PRAGMA foreign_keys = ON;
