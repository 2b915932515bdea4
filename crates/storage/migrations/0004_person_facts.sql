-- Person-level facts from each agency (school census, attendance, exclusions, attainment, social care,
-- health, post-16, youth justice), the reference data they point at (localities, settings,
-- population), and a log of the imports that wrote them.
--
-- A fact is stored as its whole domain value in `data` (JSON, re-read through the domain's checks),
-- beside the columns it is found by. Its natural key (`natural_key`, e.g. the census date and URN of a
-- census record) makes it the same fact when a file is imported again: a re-import of the same row
-- changes nothing; a changed row writes a new version, and every version is kept, append-only, in
-- `person_fact_history`. `identity` holds who the supplying agency said the row was about (its
-- identifiers, names, date of birth), kept for identity matching to re-link rows later.

-- One import of one file: what it was, who ran it, and what it changed. Append-only.
create table import_run (
    import_id        integer primary key autoincrement,
    dataset          text not null,
    file_name        text not null,
    rows             integer not null check (rows >= 0),
    created          integer not null check (created >= 0),
    unchanged        integer not null check (unchanged >= 0),
    updated          integer not null check (updated >= 0),
    children_created integer not null check (children_created >= 0),
    actor            text not null,
    at               text not null
) strict;

-- Areas an LA plans in (e.g. Hertfordshire's nine DSPL areas).
create table locality (
    la         text not null check (length(la) = 3),
    code       text not null,
    name       text not null,
    import_id  integer references import_run (import_id),
    updated_at text not null,
    primary key (la, code)
) strict;

-- Settings by GIAS URN; `data` is the whole domain `Setting`. A setting's locality must be one of its
-- LA's localities.
create table setting (
    urn        integer primary key not null check (urn between 1 and 999999),
    la         text not null check (length(la) = 3),
    locality   text,
    data       text not null check (json_valid(data)),
    import_id  integer references import_run (import_id),
    updated_at text not null,
    foreign key (la, locality) references locality (la, code)
) strict;

create index setting_la on setting (la);

-- ONS mid-year population estimates by LA, year, single year of age (0-25) and sex.
create table population (
    la         text not null check (length(la) = 3),
    year       integer not null,
    age        integer not null check (age between 0 and 25),
    sex        text not null check (sex in ('M', 'F')),
    count      integer not null check (count >= 0),
    import_id  integer references import_run (import_id),
    updated_at text not null,
    primary key (la, year, age, sex)
) strict;

-- Identifiers that are not columns of `child`: for now the LA's social care id (unique within an LA).
create table child_identifier (
    kind       text not null check (kind in ('social_care_id')),
    la         text not null check (length(la) = 3),
    value      text not null,
    child_id   text not null references child (child_id),
    created_at text not null,
    primary key (kind, la, value, child_id)
) strict;

create index child_identifier_child on child_identifier (child_id);

-- The current version of each fact. `la` is the LA that supplied the row (the child's own LA scopes
-- every read, through `child`).
create table person_fact (
    fact_id      integer primary key autoincrement,
    child_id     text not null references child (child_id),
    la           text not null check (length(la) = 3),
    dataset      text not null,
    natural_key  text not null,
    period_start text not null,
    period_end   text,
    version      integer not null check (version >= 1),
    data         text not null check (json_valid(data)),
    identity     text not null check (json_valid(identity)),
    source_file  text not null,
    source_line  integer not null,
    import_id    integer not null references import_run (import_id),
    created_at   text not null,
    updated_at   text not null,
    unique (child_id, dataset, natural_key)
) strict;

create index person_fact_dataset on person_fact (dataset, period_start);
create index person_fact_import on person_fact (import_id);

-- Every version of every fact, as written, with the import that wrote it. Append-only.
create table person_fact_history (
    fact_id     integer not null references person_fact (fact_id),
    version     integer not null check (version >= 1),
    data        text not null check (json_valid(data)),
    identity    text not null check (json_valid(identity)),
    source_file text not null,
    source_line integer not null,
    import_id   integer not null references import_run (import_id),
    recorded_at text not null,
    actor       text not null,
    primary key (fact_id, version)
) strict;

create trigger import_run_no_update before update on import_run
begin
    select raise(abort, 'import_run is append-only');
end;

create trigger import_run_no_delete before delete on import_run
begin
    select raise(abort, 'import_run is append-only');
end;

create trigger person_fact_history_no_update before update on person_fact_history
begin
    select raise(abort, 'person_fact_history is append-only: a change is recorded as a new version');
end;

create trigger person_fact_history_no_delete before delete on person_fact_history
begin
    select raise(abort, 'person_fact_history is append-only: a change is recorded as a new version');
end;
