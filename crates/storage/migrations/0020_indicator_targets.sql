-- Local targets for performance indicators, set in the application by a SEND manager: one current target
-- per framework, indicator, period and LA (a cleared target is kept as a null), every change kept in an
-- append-only history with who set it, when and why. And the LA's threshold for suppressing small
-- numbers on board pages and exports (counts from 1 to the threshold show as "c").

create table indicator_target (
    framework   text not null,
    indicator   text not null,
    period      text not null,
    la          text not null check (length(la) = 3),
    value       real,
    version     integer not null check (version >= 1),
    updated_at  text not null,
    primary key (framework, indicator, period, la)
) strict;

create table indicator_target_history (
    framework   text not null,
    indicator   text not null,
    period      text not null,
    la          text not null,
    version     integer not null check (version >= 1),
    value       real,
    recorded_at text not null,
    actor       text not null,
    reason      text not null,
    primary key (framework, indicator, period, la, version)
) strict;

create trigger indicator_target_history_no_update before update on indicator_target_history
begin
    select raise(abort, 'indicator_target_history is append-only');
end;

create trigger indicator_target_history_no_delete before delete on indicator_target_history
begin
    select raise(abort, 'indicator_target_history is append-only');
end;

create table la_suppression (
    la          text primary key check (length(la) = 3),
    threshold   integer not null check (threshold >= 0 and threshold <= 100),
    updated_at  text not null,
    actor       text not null,
    reason      text not null
) strict;

-- A target or threshold changes what the dashboards show: the cached figures are computed again.
create trigger data_generation_target_insert after insert on indicator_target
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_target_update after update on indicator_target
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_suppression_insert after insert on la_suppression
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_suppression_update after update on la_suppression
begin update data_generation set generation = generation + 1 where id = 1; end;
