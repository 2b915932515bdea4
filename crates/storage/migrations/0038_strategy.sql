-- The SEND strategy (issue 17). A plan (the strategy's delivery plan, or the action plan after an
-- inspection) is kept as its changes, in order, each with who made it and when; its current state is
-- their replay (crates/strategy). The self-evaluation is kept as dated versions. Both are append-only:
-- every change is kept.

create table strategy_change (
    la          text not null check (length(la) = 3),
    plan        text not null check (plan in ('strategy', 'action_plan')),
    seq         integer not null check (seq >= 1),
    recorded_at text not null,
    actor       text not null,
    change      text not null check (json_valid(change)),
    primary key (la, plan, seq)
) strict;

create trigger strategy_change_no_update before update on strategy_change
begin
    select raise(abort, 'strategy_change is append-only');
end;

create trigger strategy_change_no_delete before delete on strategy_change
begin
    select raise(abort, 'strategy_change is append-only');
end;

create table self_evaluation_version (
    la          text not null check (length(la) = 3),
    version     integer not null check (version >= 1),
    dated       text not null,
    recorded_at text not null,
    actor       text not null,
    body        text not null check (json_valid(body)),
    primary key (la, version)
) strict;

create trigger self_evaluation_version_no_update before update on self_evaluation_version
begin
    select raise(abort, 'self_evaluation_version is append-only');
end;

create trigger self_evaluation_version_no_delete before delete on self_evaluation_version
begin
    select raise(abort, 'self_evaluation_version is append-only');
end;
