-- An assignment's change names its case in the change log (it named none in 0041), so the caseload's
-- cached rows (which show who holds each case) are patched for that case alone after a caseworker is
-- assigned, reassigned or unassigned, instead of read again in whole (issue 10: fast after every
-- change). The dashboards' person table patches the named case too (it reads the same snapshot back).
drop trigger aggregate_change_assignment_insert;
drop trigger aggregate_change_assignment_update;
drop trigger aggregate_change_assignment_delete;
create trigger aggregate_change_assignment_insert after insert on case_assignment
begin insert into aggregate_change (case_id) values (new.case_id); end;
-- An update that moved the assignment to another case id (nothing does) names both: two rows for one
-- generation, which a reader takes as "something else changed" and reads everything again.
create trigger aggregate_change_assignment_update after update on case_assignment
begin
    insert into aggregate_change (case_id) values (new.case_id);
    insert into aggregate_change (case_id) select old.case_id where old.case_id <> new.case_id;
end;
create trigger aggregate_change_assignment_delete after delete on case_assignment
begin insert into aggregate_change (case_id) values (old.case_id); end;

-- A return's own items kept beside a child and a placement (a UPN-unknown reason, SENSettingOther) now
-- raise the data generation too, so the SEN2 page's cached check (which reads them) is checked again
-- after they change. They write no change-log row: a reader of the change log reads everything again.
create trigger data_generation_sen2_person_insert after insert on sen2_person
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_sen2_person_update after update on sen2_person
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_sen2_person_delete after delete on sen2_person
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_sen2_placement_insert after insert on sen2_placement
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_sen2_placement_update after update on sen2_placement
begin update data_generation set generation = generation + 1 where id = 1; end;
create trigger data_generation_sen2_placement_delete after delete on sen2_placement
begin update data_generation set generation = generation + 1 where id = 1; end;
