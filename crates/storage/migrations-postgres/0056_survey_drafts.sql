-- Mirrors SQLite's 0056 (issue 16, ADR 0035): the public survey's answers so far, held against the visit.
alter table survey_visit add column draft text check (draft is null or waymark_json_valid(draft));
