-- A local authority's settings for its statutory returns: the SEN2 header's designated officers in post
-- on census day (DMO, DCO, DSCO: Y yes, N no, R recruitment in progress), the software code and the
-- return's serial number. One row per LA; each change writes a new version to an append-only history.

create table la_settings (
    la            text primary key not null check (length(la) = 3),
    version       integer not null check (version >= 1),
    dmo           text not null check (dmo in ('Y', 'N', 'R')),
    dco           text not null check (dco in ('Y', 'N', 'R')),
    dsco          text not null check (dsco in ('Y', 'N', 'R')),
    software_code text not null,
    serial_no     text not null check (length(serial_no) = 3),
    updated_at    text not null
) strict;

create table la_settings_history (
    la            text not null references la_settings (la),
    version       integer not null check (version >= 1),
    data          text not null check (json_valid(data)),
    recorded_at   text not null,
    actor         text not null,
    reason        text not null,
    primary key (la, version)
) strict;

create trigger la_settings_history_no_update before update on la_settings_history
begin
    select raise(abort, 'la_settings_history is append-only');
end;

create trigger la_settings_history_no_delete before delete on la_settings_history
begin
    select raise(abort, 'la_settings_history is append-only');
end;
