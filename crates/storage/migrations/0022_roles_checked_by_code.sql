-- New roles: the Local Offer's service provider and officer (issue 15) and the strategy lead (issue 17).
-- The role column's check listed every role, so each new role needed the table rebuilt; it is rebuilt
-- once, before any later migration adds columns to it, without that list: the code reads a role with
-- `Role::parse` and refuses an unknown one as corrupt data, and only the code writes roles. Everything
-- else about the table is as before.
--
-- The rows are copied aside, the table dropped and made again, and the rows put back in the same
-- transaction; foreign keys from sessions, family links and case assignments are checked at commit
-- (deferred), when every user they name is back.

pragma defer_foreign_keys = on;

create table app_user_copy as select * from app_user;

drop index app_user_la;
drop table app_user;

create table app_user (
    user_id       text primary key not null,
    username      text not null collate nocase unique,
    display_name  text not null,
    password_hash text not null,
    role          text not null check (length(role) between 1 and 64),
    la            text check (la is null or length(la) = 3),
    setting_key   text,
    service       text check (service is null or service in ('health', 'social_care', 'educational_psychology')),
    active        integer not null default 1 check (active in (0, 1)),
    version       integer not null check (version >= 1),
    created_at    text not null,
    updated_at    text not null
) strict;

create index app_user_la on app_user (la);

insert into app_user select * from app_user_copy;
drop table app_user_copy;
