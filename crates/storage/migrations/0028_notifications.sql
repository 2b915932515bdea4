-- Notifications (issue 13, item 4): each person's email address, which notifications they want by email,
-- and every notification made for a person. One table is both the list each person sees in the
-- application and the outbox the mail worker delivers from.
--
-- A notification is inserted in the same transaction as the case event that causes it, so none is lost
-- and none is made for an event that was not recorded. `occasion` names what it is about (the event, or
-- the reminder and its due date): unique per person, so working a reminder out twice makes it once.
--
-- The outbox: `status` is `pending` (to send, not before `next_attempt_at`), `sending` (claimed by a
-- worker until `claimed_until`; a worker that died leaves it to be claimed again after that), `sent`,
-- `failed` (given up after the last retry), or `not_emailed` (listed in the application only: the person
-- has no email address, or turned these emails off). Subjects and bodies carry a case reference and
-- initials at most, never a child's name or date of birth (see crates/notifications).

alter table app_user add column email text check (email is null or (length(email) between 3 and 254 and instr(email, '@') > 1));

create table notification_preference (
    user_id  text not null references app_user (user_id),
    topic    text not null,
    email    integer not null check (email in (0, 1)),
    primary key (user_id, topic)
) strict;

create table notification (
    notification_id integer primary key autoincrement,
    user_id         text not null references app_user (user_id),
    case_id         text references ehc_case (case_id),
    topic           text not null,
    occasion        text not null,
    subject         text not null,
    body            text not null,
    link            text not null,
    created_at      text not null,
    email_to        text,
    status          text not null check (status in ('pending', 'sending', 'sent', 'failed', 'not_emailed')),
    attempts        integer not null default 0 check (attempts >= 0),
    next_attempt_at text,
    claimed_until   text,
    last_error      text,
    sent_at         text,
    unique (user_id, occasion),
    check ((status = 'not_emailed') = (email_to is null))
) strict;

create index notification_outbox on notification (status, next_attempt_at) where status in ('pending', 'sending');
create index notification_user on notification (user_id, notification_id);
