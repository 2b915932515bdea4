-- The forecast's read of plan events (crates/storage/src/forecast.rs): each case's events by kind and
-- date, from the index alone, without reading the events' JSON.
create index case_event_case_kind on case_event (case_id, kind, occurred_on, seq);
