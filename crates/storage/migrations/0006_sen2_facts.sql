-- SEN2 items the domain does not hold yet, kept beside the records they belong to so that a return
-- imported from another system exports again unchanged: a person's UPNunknown reason (item 1.7c) and
-- the free-text description of an OTH or NIEO placement (item 5.7c(i)). Written by `waymark sen2
-- import`; each row changes only through a later import, with the change audited.

create table sen2_person (
    child_id    text primary key not null references child (child_id),
    upn_unknown text check (upn_unknown in ('UN1', 'UN2', 'UN3', 'UN5', 'UN8', 'UN9', 'UN10')),
    updated_at  text not null
) strict;

create table sen2_placement (
    placement_id  text primary key not null references placement (placement_id),
    setting_other text,
    updated_at    text not null
) strict;

-- An import matches a person with no known identifier by name and date of birth: index the date of
-- birth so that lookup does not read every child.
create index child_sen2_date_of_birth on child (json_extract(data, '$.date_of_birth'));
