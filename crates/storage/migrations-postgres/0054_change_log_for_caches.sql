-- Mirrors SQLite's 0054 (issue 10, ADR 0033): an assignment's change names its case in the change log,
-- so the caseload's cached rows are patched for that case alone; and a return's own items kept beside a
-- child and a placement raise the data generation, so the SEN2 page's cached check is checked again.
create function waymark_record_assignment_change() returns trigger
language plpgsql as $$
begin
    if tg_op = 'DELETE' then
        insert into aggregate_change (case_id) values (old.case_id);
    else
        insert into aggregate_change (case_id) values (new.case_id);
        -- An update that moved the assignment to another case (nothing does) names both: two rows for
        -- one generation, which a reader takes as "something else changed".
        if tg_op = 'UPDATE' and old.case_id <> new.case_id then
            insert into aggregate_change (case_id) values (old.case_id);
        end if;
    end if;
    return null;
end;
$$;

drop trigger case_assignment_aggregate_change on case_assignment;
create trigger case_assignment_aggregate_change after insert or update or delete on case_assignment
    for each row execute function waymark_record_assignment_change();

create trigger sen2_person_data_generation after insert or update or delete on sen2_person
    for each row execute function waymark_bump_data_generation();
create trigger sen2_placement_data_generation after insert or update or delete on sen2_placement
    for each row execute function waymark_bump_data_generation();
