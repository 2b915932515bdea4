-- The Local Offer's two roles (issue 15): `service_provider` (keeps its organisation's listings, tied
-- to it in `lo_provider`) and `local_offer_officer` (the LA officer who approves providers' changes).
-- SQLite cannot change a CHECK constraint in place, and the migration runs inside a transaction, where
-- foreign keys cannot be turned off. So the rows are kept aside, the table emptied and dropped (the
-- references to it become deferred violations), recreated with the wider CHECK, and the rows put back
-- (which resolves every deferred violation, so the transaction commits; no reference changes).
-- MERGING: another capability that adds roles rebuilds this table too; its list must include these two.

PRAGMA defer_foreign_keys = ON;

create temp table app_user_before_0033 as select * from app_user;

delete from app_user;

drop table app_user;

create table app_user (
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

insert into app_user (user_id, username, display_name, password_hash, role, la, setting_key, service, active, version, created_at, updated_at)
    select user_id, username, display_name, password_hash, role, la, setting_key, service, active, version, created_at, updated_at
    from app_user_before_0033;

drop table app_user_before_0033;

create index app_user_la on app_user (la);
