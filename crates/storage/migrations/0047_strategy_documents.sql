-- Documents attached to a strategy deliverable or action as evidence of progress (issue 17, item 1):
-- board minutes, a service specification, a survey report. Their bytes are files under the data
-- directory named by SHA-256, as a case's documents are (ADR 0020); this row names the file. The
-- deliverable's change log records the attachment and any removal (who, when, why), so rows are never
-- changed or deleted. No child's data belongs here.

create table strategy_document (
    document_id  text primary key,
    la           text not null check (length(la) = 3),
    plan         text not null check (plan in ('strategy', 'action_plan')),
    reference    text not null,
    filename     text not null,
    media_type   text not null,
    size         integer not null check (size >= 0),
    sha256       text not null check (length(sha256) = 64),
    uploaded_at  text not null,
    actor        text not null
) strict;

create index strategy_document_item on strategy_document (la, plan, reference);

create trigger strategy_document_no_update before update on strategy_document
begin
    select raise(abort, 'strategy_document is append-only');
end;

create trigger strategy_document_no_delete before delete on strategy_document
begin
    select raise(abort, 'strategy_document is append-only');
end;
