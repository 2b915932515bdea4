-- Which cases changed, so the dashboards' cached person table is patched case by case after a case
-- change instead of read again in whole (issue 10: a framework page fast after every change).
--
-- Every bump of `data_generation` that leaves the person table as it was, or changes one case only, also
-- writes one row here: a case's update names the case; an assignment, a family link, a target or a
-- small-numbers threshold writes a row naming none. A reader that sees the generation move by exactly
-- the number of rows written since it last looked knows nothing else changed (a child, a placement, a new
-- case, an import) and may patch just the cases named; otherwise it reads the table again.
create table aggregate_change (
    seq     integer primary key autoincrement,
    case_id text
) strict;

-- A case moved to another child (an identity merge) writes no row, so the reader reads everything again.
create trigger aggregate_change_case_update after update on ehc_case when old.child_id = new.child_id
begin insert into aggregate_change (case_id) values (new.case_id); end;
create trigger aggregate_change_assignment_insert after insert on case_assignment
begin insert into aggregate_change (case_id) values (null); end;
create trigger aggregate_change_assignment_update after update on case_assignment
begin insert into aggregate_change (case_id) values (null); end;
create trigger aggregate_change_assignment_delete after delete on case_assignment
begin insert into aggregate_change (case_id) values (null); end;
create trigger aggregate_change_user_child_insert after insert on app_user_child
begin insert into aggregate_change (case_id) values (null); end;
create trigger aggregate_change_target_insert after insert on indicator_target
begin insert into aggregate_change (case_id) values (null); end;
create trigger aggregate_change_target_update after update on indicator_target
begin insert into aggregate_change (case_id) values (null); end;
create trigger aggregate_change_suppression_insert after insert on la_suppression
begin insert into aggregate_change (case_id) values (null); end;
create trigger aggregate_change_suppression_update after update on la_suppression
begin insert into aggregate_change (case_id) values (null); end;
