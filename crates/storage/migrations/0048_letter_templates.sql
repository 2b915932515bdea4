-- Statutory letters' templates (issue 13): each LA's administrator edits them in the application, and
-- every saved version is kept with who saved it and when. The newest version of a kind is the one in
-- use; with none saved, Waymark uses the template it ships (crates/letters/templates/).

create table letter_template (
    la              text not null,
    kind            text not null,
    version         integer not null check (version >= 1),
    body            text not null check (length(body) between 1 and 20000),
    saved_by_label  text not null,
    saved_at        text not null,
    primary key (la, kind, version)
) strict;
