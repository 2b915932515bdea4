-- Mirrors SQLite's 0055 (issue 15): a provider's new service may bring new venues, waiting with the
-- proposed change (a JSON array of locations, null when none) until an officer approves it.
alter table lo_change add column new_locations text check (new_locations is null or waymark_json_valid(new_locations));
