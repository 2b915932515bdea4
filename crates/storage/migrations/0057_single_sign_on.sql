-- Single sign-on for staff by OpenID Connect (issue 14 item 5; ADR 0036).
--
-- The administrator's table: people whose ID token names `group_id` in its `groups` claim get `role` in
-- `la` (null only for an administrator of every LA). One row per group; changes are audited
-- (subject `sso_group_mapping`).
create table sso_group_role (
    group_id   text primary key not null,
    role       text not null,
    la         text check (la is null or length(la) = 3),
    created_at text not null
) strict;

-- The Waymark account of a person at the identity provider, keyed as OpenID Connect Core 1.0 section 2
-- says a person is: the issuer and its `sub` claim together ("locally unique and never reassigned within
-- the Issuer"). The account is made at the first sign-in and its role and LA follow the person's groups
-- at every later one. An account made here has no password (an empty hash), so it cannot sign in any
-- other way.
create table sso_identity (
    issuer          text not null,
    subject         text not null,
    user_id         text not null unique references app_user (user_id),
    created_at      text not null,
    last_sign_in_at text not null,
    primary key (issuer, subject)
) strict;
