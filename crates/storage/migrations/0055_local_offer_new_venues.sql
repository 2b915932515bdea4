-- The Local Offer (issue 15): a provider's new service may bring a new venue. The venue waits with the
-- proposed change (a JSON array of locations, null when none) and is written to `lo_location` only
-- when a Local Offer officer approves the change, like the service itself.
alter table lo_change add column new_locations text;
