-- Values of performance indicators that no person-level record holds (stakeholder confidence, survey
-- results, partner services' figures), entered by hand: one current value per framework, indicator,
-- period, area ('england' or an LA code) and cohort, with every change kept in an append-only history.

create table indicator_manual_value (
    framework   text not null,
    indicator   text not null,
    period      text not null,
    la          text not null check (la = 'england' or length(la) = 3),
    cohort      text not null,
    value       real not null,
    version     integer not null check (version >= 1),
    updated_at  text not null,
    primary key (framework, indicator, period, la, cohort)
) strict;

create table indicator_manual_value_history (
    framework   text not null,
    indicator   text not null,
    period      text not null,
    la          text not null,
    cohort      text not null,
    version     integer not null check (version >= 1),
    value       real not null,
    recorded_at text not null,
    actor       text not null,
    reason      text not null,
    primary key (framework, indicator, period, la, cohort, version)
) strict;

create trigger indicator_manual_value_history_no_update before update on indicator_manual_value_history
begin
    select raise(abort, 'indicator_manual_value_history is append-only');
end;

create trigger indicator_manual_value_history_no_delete before delete on indicator_manual_value_history
begin
    select raise(abort, 'indicator_manual_value_history is append-only');
end;
