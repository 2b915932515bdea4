-- The SEND strategy's published version (issue 17, item 7): whether the LA publishes its delivery plan
-- and progress for families and the public to read without signing in. Kept as a log, each decision
-- with who made it and when; the latest row is in force. Append-only.

create table strategy_publication (
    la          text not null check (length(la) = 3),
    seq         integer not null check (seq >= 1),
    published   integer not null check (published in (0, 1)),
    recorded_at text not null,
    actor       text not null,
    primary key (la, seq)
) strict;

create trigger strategy_publication_no_update before update on strategy_publication
begin
    select raise(abort, 'strategy_publication is append-only');
end;

create trigger strategy_publication_no_delete before delete on strategy_publication
begin
    select raise(abort, 'strategy_publication is append-only');
end;
