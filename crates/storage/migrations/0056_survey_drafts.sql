-- Families' voice (issue 16, ADR 0035): the public survey is answered one question a page, so the
-- answers given so far are held against the visit (keyed by the hash of its random token, which the
-- visitor's browser keeps in a short-lived cookie) until it is sent. Deleted with the visit when the
-- response is saved; a visit never sent is pruned after a day, draft and all.
alter table survey_visit add column draft text check (draft is null or json_valid(draft));
