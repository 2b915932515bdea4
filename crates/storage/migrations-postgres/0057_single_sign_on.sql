-- Mirrors SQLite's 0057 (issue 14 item 5, ADR 0036): the administrator's group table and the Waymark
-- account of each person at the identity provider (issuer and `sub`, OpenID Connect Core 1.0 section 2).
create table sso_group_role (
    group_id   text primary key not null,
    role       text not null,
    la         text check (la is null or length(la) = 3),
    created_at text not null
);

create table sso_identity (
    issuer          text not null,
    subject         text not null,
    user_id         text not null unique references app_user (user_id) deferrable,
    created_at      text not null,
    last_sign_in_at text not null,
    primary key (issuer, subject)
);

grant select, insert, update, delete on sso_group_role, sso_identity to waymark_app;
