-- Documents on a case (issue 13): the file itself lives under the data directory, named by its
-- SHA-256 (ADR 0020); this table holds what it is, who uploaded it and when, and its removal. A
-- removal keeps the row and the file: removed_* say who removed it, when and why.

create table case_document (
    document_id        text primary key not null,
    case_id            text not null references ehc_case (case_id),
    kind               text not null,
    filename           text not null check (length(filename) between 1 and 200),
    media_type         text not null,
    size               integer not null check (size > 0),
    sha256             text not null check (length(sha256) = 64),
    uploaded_by        text references app_user (user_id),
    uploaded_by_label  text not null,
    uploaded_at        text not null,
    removed_at         text,
    removed_by_label   text,
    removed_reason     text,
    check ((removed_at is null) = (removed_reason is null))
) strict;

create index case_document_case on case_document (case_id, uploaded_at);
