-- Identity matching on import (docs/identity.md): a pair an import's new child makes with a stored
-- child is queued for review in the import's transaction; the entry names the import, so the history
-- says where a pair came from. `null` for pairs a scan queued (and for entries made before this).

alter table identity_review add column import_id integer references import_run (import_id);

create index identity_review_import on identity_review (import_id) where import_id is not null;
