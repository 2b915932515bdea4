-- Accounts as councils run them (issue 13, item 7): invitations, two-step verification, and when each
-- account last signed in.
--
-- An invited account has no password until its holder sets one from the invitation's one-time link
-- (`password_hash` is then the empty string, which no password verifies against). The link's token is
-- stored only as its SHA-256, valid for 7 days and used once. Administrators never see or set passwords.
--
-- Two-step verification: the TOTP secret (RFC 6238) in base32, confirmed by a first code before it is
-- required (`totp_confirmed_at`). Recovery is an administrator's reset, which clears it.

alter table app_user add column last_signed_in_at text;
alter table app_user add column totp_secret text;
alter table app_user add column totp_confirmed_at text;

create table user_invitation (
    token_hash  text primary key not null check (length(token_hash) = 64),
    user_id     text not null references app_user (user_id),
    created_at  text not null,
    expires_at  text not null,
    used_at     text
) strict;

create index user_invitation_user on user_invitation (user_id);
