#!/usr/bin/env python3
"""An independent implementation of Waymark's indicators in DuckDB SQL, as a check on Waymark's engine.

It reads the person table Waymark writes with `waymark indicators --export-facts DIR` (CSV files) and
computes DfE's EHC plan measures (the `dfe-ehcp` pack), sixteen casework indicators of the other packs
and fourteen measures over person-level facts (attendance, exclusions, attainment) from first principles: its own period arithmetic (census days, academic years), its own reading of SEN
status and placement on a date (as-of joins), and each definition written out again in SQL, not read
from Waymark's TOML. It writes CSV with the columns
`framework,indicator,period,la,cohort,numerator,denominator,value` for every LA, every locality
(`cohort` = `locality=NAME`) and England (the sum over LAs, when there is more than one).

    python3 indicators.py FACTS_DIR [--out FILE.csv] [--timings]

With --timings it prints `load_seconds` and `compute_seconds` to standard error.
"""

import argparse
import datetime as dt
import sys
import time

import duckdb

# ---- periods (sen2.md §1: listed census days; otherwise the third Thursday of January [U]) ----------

LISTED_CENSUS = {2023: dt.date(2023, 1, 19), 2024: dt.date(2024, 1, 18), 2025: dt.date(2025, 1, 16),
                 2026: dt.date(2026, 1, 15), 2027: dt.date(2027, 1, 21)}


def census_day(year):
    if year in LISTED_CENSUS:
        return LISTED_CENSUS[year]
    first = dt.date(year, 1, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 14)


def periods(kind, year):
    """(label, first day, last day, reference day) of each period of `kind` in year `year`."""
    if kind == "calendar_year":
        return [(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31), census_day(year + 1))]
    if kind == "academic_year":
        return [(f"{year}/{(year + 1) % 100:02d}", dt.date(year, 9, 1), dt.date(year + 1, 8, 31), census_day(year + 1))]
    if kind == "census":
        day = census_day(year + 1)
        return [(day.isoformat(), dt.date(year, 1, 1), day, day)]
    raise ValueError(kind)


# ---- the indicators, written again in SQL -----------------------------------------------------------
# Each measure is a list of terms (base, SQL condition over the enriched record); a sum of counts.

MAINSTREAM = "setting in ('mainstream', 'independent_mainstream')"
SPECIAL = "setting in ('special', 'independent_special', 'non_maintained_special')"
SCHOOL = ("setting in ('mainstream', 'independent_mainstream', 'special', 'independent_special', "
          "'non_maintained_special', 'alternative_provision')")
REFUSED = "assess_decision is not null and assess_refused = 1"
APPEALABLE = [("requests_received", REFUSED), ("not_issue_decisions", "true"), ("plans_in_force", "true"),
              ("plans_ceased", "cease_reason = 'needs_met'")]


def ind(framework, unit, kind, num, den=None, needs=()):
    """`needs`: for a measure over facts, the datasets (each a list of fact kinds) an LA must hold rows
    of, reaching the period or its reference day; otherwise the LA's value awaits data (no row)."""
    return {"framework": framework, "unit": unit, "kind": kind, "num": num, "den": den, "needs": needs}


# Person-level facts (facts.csv), read in the period of the record (e.start_d to e.end_d) for its person.
def fact_in_period(kind, cond="true"):
    return (f"exists (select 1 from facts f where f.person = e.person and f.kind = '{kind}' "
            f"and f.start_date between e.start_d and e.end_d and {cond})")


def fact_count(kind):
    return (f"(select count(*) from facts f where f.person = e.person and f.kind = '{kind}' "
            f"and f.start_date between e.start_d and e.end_d)")


def fact_sum(kind, column):
    return (f"(select coalesce(sum(f.{column}), 0) from facts f where f.person = e.person and f.kind = '{kind}' "
            f"and f.start_date between e.start_d and e.end_d)")


# DfE persistent absence: sessions missed over all the year's enrolments are 10% or more of those possible.
PERSISTENT = (f"({fact_sum('attendance', 'n1')} > 0 and {fact_sum('attendance', 'n2')} * 10 >= "
              f"{fact_sum('attendance', 'n1')})")
ABSENT = ("attendance", "true", fact_sum("attendance", "n2"))
POSSIBLE = ("attendance", "true", fact_sum("attendance", "n1"))
SUSPENDED = f"{fact_count('suspension')} >= 1"
PERMANENT = fact_in_period("permanent_exclusion")
RWM = fact_in_period("ks2", "(f.flags & 7) = 7")
EM4 = fact_in_period("ks4", "(f.flags & 1) = 1")
A8 = ("ks4", "true", fact_sum("ks4", "n1"))
ATT = [["attendance"]]
EXCL = [["census"], ["suspension", "permanent_exclusion"]]


def holds(needs):
    """SQL: the record's LA holds rows of every dataset in `needs` spanning the period's window."""
    parts = []
    for kinds in needs:
        names = ", ".join(f"'{k}'" for k in kinds)
        parts.append(f"exists (select 1 from kind_span k where k.la = e.la and k.kind in ({names}) "
                     f"and k.lo <= greatest(e.end_d, e.ref_d) and least(e.start_d, e.ref_d) <= k.hi)")
    return " and ".join(parts) if parts else "true"


INDICATORS = {
    # DfE EHC plan measures (sen2.md §8; national-statistics.md §0, §4a).
    "requests_received": ind("dfe-ehcp", "count", "calendar_year", [("requests_received", "true")]),
    "requests_refused_pct": ind("dfe-ehcp", "percent", "calendar_year", [("requests_received", REFUSED)],
                                [("requests_received", "true")]),
    "request_decisions_within_6_weeks_pct": ind(
        "dfe-ehcp", "percent", "calendar_year",
        [("requests_received", "assess_decision is not null and decision_unknown = 0 and date_diff('day', received, assess_decision) <= 42")],
        [("requests_received", "assess_decision is not null")]),
    "plans_issued": ind("dfe-ehcp", "count", "calendar_year", [("plans_issued", "true")]),
    "assessments_completed": ind("dfe-ehcp", "count", "calendar_year",
                                 [("plans_issued", "true"), ("not_issue_decisions", "true")]),
    "assessments_plan_issued_pct": ind("dfe-ehcp", "percent", "calendar_year", [("plans_issued", "true")],
                                       [("plans_issued", "true"), ("not_issue_decisions", "true")]),
    "not_issue_decisions_within_16_weeks_pct": ind(
        "dfe-ehcp", "percent", "calendar_year",
        [("not_issue_decisions", "received_unknown = 0 and date_diff('day', received, not_issue) <= 112")], [("not_issue_decisions", "true")]),
    "plans_within_20_weeks_incl_exceptions_pct": ind(
        "dfe-ehcp", "percent", "calendar_year",
        [("plans_issued", "received_unknown = 0 and date_diff('day', received, final_issued) <= 140")], [("plans_issued", "true")]),
    "plans_within_20_weeks_excl_exceptions_pct": ind(
        "dfe-ehcp", "percent", "calendar_year",
        [("plans_issued", "week20_exception = 0 and received_unknown = 0 and date_diff('day', received, final_issued) <= 140")],
        [("plans_issued", "week20_exception = 0")]),
    "plans_issued_request_date_unknown": ind("dfe-ehcp", "count", "calendar_year",
                                             [("plans_issued", "received_unknown = 1")]),
    "caseload_at_census": ind("dfe-ehcp", "count", "census", [("plans_in_force", "true")]),
    "caseload_mainstream_pct": ind("dfe-ehcp", "percent", "census", [("plans_in_force", MAINSTREAM)],
                                   [("plans_in_force", "true")]),
    "caseload_special_pct": ind("dfe-ehcp", "percent", "census", [("plans_in_force", SPECIAL)],
                                [("plans_in_force", "true")]),
    "new_plans_mainstream_pct": ind("dfe-ehcp", "percent", "calendar_year", [("plans_issued", MAINSTREAM)],
                                    [("plans_issued", "true")]),
    "personal_budgets_at_census": ind("dfe-ehcp", "count", "census", [("plans_in_force", "personal_budget = 1")]),
    "plans_ceased": ind("dfe-ehcp", "count", "calendar_year", [("plans_ceased", "true")]),
    "annual_reviews_expected": ind("dfe-ehcp", "count", "calendar_year", [("reviews_due", "true")]),
    "annual_review_meetings_pct": ind("dfe-ehcp", "percent", "calendar_year", [("reviews_due", "meeting is not null")],
                                      [("reviews_due", "true")]),
    "review_decisions_within_4_weeks_pct": ind(
        "dfe-ehcp", "percent", "calendar_year",
        [("review_meetings", "decision is not null and date_diff('day', meeting, decision) <= 28")],
        [("review_meetings", "true")]),
    "appeal_rate_pct": ind("dfe-ehcp", "percent", "calendar_year", [("appeals_lodged", "true")], APPEALABLE),
    # Portsmouth 2016, Appendix I.
    # 1.1 and 1.2: of every pupil on the spring census (the seed's "pupils that attended Portsmouth schools").
    "p1_1_ehc_plan_pct": ind("portsmouth-2016", "percent", "academic_year", [("census_pupils", "status = 'E'")],
                             [("census_pupils", "true")], needs=[["census"]]),
    "p1_2_sen_support_pct": ind("portsmouth-2016", "percent", "academic_year", [("census_pupils", "status = 'K'")],
                                [("census_pupils", "true")], needs=[["census"]]),
    "p2_1_ehc_plan_mainstream_pct": ind("portsmouth-2016", "percent", "academic_year",
                                        [("pupils", f"status = 'E' and {MAINSTREAM}")], [("pupils", "status = 'E'")]),
    "p3_unit_or_rp_pct": ind("portsmouth-2016", "percent", "academic_year",
                             [("pupils", "status in ('E', 'K') and unit_or_rp = 1")], [("pupils", "status in ('E', 'K')")]),
    "p4_special_pct": ind("portsmouth-2016", "percent", "academic_year",
                          [("pupils", "status in ('E', 'K') and setting = 'special'")], [("pupils", "status in ('E', 'K')")]),
    "p7_1_ehc_plan_ehe_pct": ind(
        "portsmouth-2016", "percent", "academic_year",
        [("residents", "age between 5 and 15 and status = 'E' and setting = 'elective_home_education'")],
        [("residents", "age between 5 and 15 and status = 'E'")]),
    "s3_assessments_refused": ind("portsmouth-2016", "count", "calendar_year", [("refusals", "true")]),
    "s4b14_evidence_health": ind("portsmouth-2016", "count", "calendar_year", [("plans_issued", "(delays & 8) <> 0")]),
    "s5b_needs_met": ind("portsmouth-2016", "count", "calendar_year", [("plans_ceased", "cease_reason = 'needs_met'")]),
    "s6_appeals_registered": ind("portsmouth-2016", "count", "academic_year", [("appeals_lodged", "true")]),
    "s9a_ehc_plan_fsm_pct": ind("portsmouth-2016", "percent", "academic_year", [("pupils", "status = 'E' and fsm = 1")],
                                [("pupils", "status = 'E'")]),
    "s10_personal_budgets": ind("portsmouth-2016", "count", "census", [("plans_in_force", "personal_budget = 1")]),
    # Hertfordshire 2015, proxy indicators.
    "a_ehcp_population_pct": ind("hertfordshire-2015", "percent", "academic_year", [("plans_in_force", "true")],
                                 [("residents", "true")]),
    "b_ehcp_ehe_pct": ind("hertfordshire-2015", "percent", "academic_year",
                          [("plans_in_force", "age between 5 and 15 and setting = 'elective_home_education'")],
                          [("plans_in_force", "age between 5 and 15")]),
    "d_local_school_pct": ind(
        "hertfordshire-2015", "percent", "academic_year",
        [("pupils", f"{SCHOOL} and locality is not null and setting_locality = locality")], [("pupils", "true")]),
    "n_neet_16_18_ehcp_pct": ind("hertfordshire-2015", "percent", "academic_year",
                                 [("plans_in_force", "age between 16 and 18 and setting = 'neet'")],
                                 [("plans_in_force", "age between 16 and 18")]),
    # Person-level facts: attendance, exclusions and attainment, per pupil per academic year.
    "p17a_persistent_absence_pct": ind("portsmouth-2016", "percent", "academic_year", [("attendance", PERSISTENT)],
                                       [("attendance", "true")], needs=ATT),
    "p17b_overall_absence_pct": ind("portsmouth-2016", "percent", "academic_year", [ABSENT], [POSSIBLE], needs=ATT),
    "p18a_fixed_period_exclusion_pct": ind("portsmouth-2016", "percent", "academic_year",
                                           [("census_pupils", SUSPENDED)], [("census_pupils", "true")], needs=EXCL),
    "p18b_repeat_fixed_period_exclusion_pct": ind("portsmouth-2016", "percent", "academic_year",
                                                  [("census_pupils", f"{fact_count('suspension')} >= 2")],
                                                  [("census_pupils", "true")], needs=EXCL),
    "p24_ks2_rwm_pct": ind("portsmouth-2016", "percent", "academic_year", [("ks2", RWM)], [("ks2", "true")], needs=[["ks2"]]),
    "p25_gcse_5ac_em_pct": ind("portsmouth-2016", "percent", "academic_year", [("ks4", EM4)], [("ks4", "true")], needs=[["ks4"]]),
    "p25b_attainment8_average": ind("portsmouth-2016", "average_hundredths", "academic_year", [A8], [("ks4", "true")], needs=[["ks4"]]),
    "p8_gld_pct": ind("portsmouth-2016", "percent", "academic_year", [("eyfsp", fact_in_period("eyfsp", "(f.flags & 1) = 1"))],
                      [("eyfsp", "true")], needs=[["eyfsp"]]),
    "p23_phonics_pct": ind("portsmouth-2016", "percent", "academic_year",
                           [("phonics", fact_in_period("phonics", "f.code = '1' and (f.flags & 1) = 1"))],
                           [("phonics", fact_in_period("phonics", "f.code = '1'"))], needs=[["phonics"]]),
    "i_overall_absence_pct": ind("hertfordshire-2015", "percent", "academic_year", [ABSENT], [POSSIBLE], needs=ATT),
    "j_persistent_absence_pct": ind("hertfordshire-2015", "percent", "academic_year", [("attendance", PERSISTENT)],
                                    [("attendance", "true")], needs=ATT),
    "k_fixed_period_exclusions_pct": ind("hertfordshire-2015", "percent", "academic_year",
                                         [("census_pupils", SUSPENDED)], [("census_pupils", "true")], needs=EXCL),
    "l_permanent_exclusions_pct": ind("hertfordshire-2015", "percent", "academic_year",
                                      [("census_pupils", PERMANENT)], [("census_pupils", "true")], needs=EXCL),
}

# ---- base sets: (period, person, case, review, anchor) ----------------------------------------------

BASES = {
    "requests_received": "select p.label, c.person, c.case_id, null::bigint as review_id, c.received as anchor "
                         "from cases c join periods p on c.received_unknown = 0 and c.received between p.start_d and p.end_d",
    "refusals": "select p.label, c.person, c.case_id, null::bigint, c.assess_decision from cases c join periods p "
                "on c.assess_refused = 1 and c.assess_decision between p.start_d and p.end_d",
    "plans_issued": "select p.label, c.person, c.case_id, null::bigint, c.final_issued from cases c join periods p "
                    "on c.received is not null and c.final_issued between p.start_d and p.end_d",
    "not_issue_decisions": "select p.label, c.person, c.case_id, null::bigint, c.not_issue from cases c join periods p "
                           "on c.received is not null and c.not_issue between p.start_d and p.end_d",
    "plans_in_force": "select p.label, c.person, c.case_id, null::bigint, p.ref_d from cases c join periods p "
                      "on coalesce(c.final_issued, c.existing) <= p.ref_d "
                      "and (coalesce(c.ceased, c.transferred_out) is null or coalesce(c.ceased, c.transferred_out) > p.ref_d)",
    "plans_ceased": "select p.label, c.person, c.case_id, null::bigint, c.ceased from cases c join periods p "
                    "on c.ceased between p.start_d and p.end_d",
    "reviews_due": "select p.label, c.person, c.case_id, r.review_id, r.due from reviews r join cases c using (case_id) "
                   "join periods p on r.due between p.start_d and p.end_d",
    "review_meetings": "select p.label, c.person, c.case_id, r.review_id, r.meeting from reviews r join cases c using (case_id) "
                       "join periods p on r.meeting between p.start_d and p.end_d",
    "appeals_lodged": "select p.label, c.person, c.case_id, null::bigint, d.date from disputes d join cases c using (case_id) "
                      "join periods p on d.kind = 'appeal' and d.date between p.start_d and p.end_d",
    "pupils": None,  # built from placements on the reference day
    # Pupils on a census in January to March of the academic year of the reference day (the spring census).
    "census_pupils": "select distinct p.label, f.person, null::bigint, null::bigint, p.ref_d from facts f join periods p "
                     "on f.kind = 'census' and f.start_date between "
                     "make_date(year(p.ref_d) + (month(p.ref_d) >= 9)::int, 1, 1) and "
                     "make_date(year(p.ref_d) + (month(p.ref_d) >= 9)::int, 3, 31)",
    **{base: f"select distinct p.label, f.person, null::bigint, null::bigint, p.ref_d from facts f join periods p "
             f"on f.kind = '{kind}' and f.start_date between p.start_d and p.end_d"
       for base, kind in (("attendance", "attendance"), ("ks2", "ks2"), ("ks4", "ks4"), ("eyfsp", "eyfsp"),
                          ("phonics", "phonics"))},
    "residents": "select p.label, pe.person, null::bigint, null::bigint, p.ref_d from persons pe join periods p "
                 "on pe.birth_month <= p.ref_d and (year(p.ref_d) - year(pe.birth_month) "
                 "- (month(p.ref_d) < month(pe.birth_month))::int) <= 25",
}

PUPILS = ("select p.label, pl.person, null::bigint, null::bigint, p.ref_d from periods p join "
          "(select person, entry, leaving, kind, rn from placements) pl on pl.entry <= p.ref_d "
          "and (pl.leaving is null or p.ref_d <= pl.leaving) "
          "qualify row_number() over (partition by p.label, pl.person order by pl.rn desc) = 1 "
          f"and pl.kind in ('mainstream', 'independent_mainstream', 'special', 'independent_special', "
          "'non_maintained_special', 'alternative_provision')")


def load(con, facts_dir):
    opts = "header = true, auto_detect = true, nullstr = ''"
    con.execute(f"create table persons as select * from read_csv('{facts_dir}/persons.csv', {opts}, "
                "types = {'person': 'BIGINT', 'la': 'VARCHAR', 'locality': 'VARCHAR', 'sex': 'VARCHAR', "
                "'birth_month': 'DATE', 'fsm': 'INTEGER'})")
    con.execute(f"create table sen_status as select * from read_csv('{facts_dir}/sen_status.csv', {opts}, "
                "types = {'person': 'BIGINT', 'from_date': 'DATE', 'status': 'VARCHAR', 'need': 'VARCHAR'})")
    con.execute(f"create table placements as select row_number() over () as rn, * from read_csv('{facts_dir}/placements.csv', "
                f"{opts}, types = {{'person': 'BIGINT', 'entry': 'DATE', 'leaving': 'DATE', 'kind': 'VARCHAR', "
                "'unit_or_rp': 'INTEGER', 'setting_locality': 'VARCHAR'})")
    con.execute(f"create table cases as select * from read_csv('{facts_dir}/cases.csv', {opts}, types = {{"
                "'case_id': 'BIGINT', 'person': 'BIGINT', 'received': 'DATE', 'assess_decision': 'DATE', "
                "'assess_refused': 'INTEGER', 'not_issue': 'DATE', 'final_issued': 'DATE', 'existing': 'DATE', "
                "'transferred_in': 'INTEGER', 'week20_exception': 'INTEGER', 'ceased': 'DATE', 'cease_reason': 'VARCHAR', "
                "'withdrawn': 'DATE', 'transferred_out': 'DATE', 'delays': 'INTEGER', 'received_unknown': 'INTEGER', 'decision_unknown': 'INTEGER'})")
    con.execute(f"create table reviews as select row_number() over () - 1 as review_id, * from read_csv('{facts_dir}/reviews.csv', "
                f"{opts}, types = {{'case_id': 'BIGINT', 'due': 'DATE', 'meeting': 'DATE', 'decision': 'DATE', 'outcome': 'VARCHAR'}})")
    con.execute(f"create table disputes as select * from read_csv('{facts_dir}/disputes.csv', {opts}, "
                "types = {'case_id': 'BIGINT', 'date': 'DATE', 'kind': 'VARCHAR', 'decision': 'VARCHAR'})")
    con.execute(f"create table plan_versions as select row_number() over () as rn, * from read_csv('{facts_dir}/plan_versions.csv', "
                f"{opts}, types = {{'case_id': 'BIGINT', 'from_date': 'DATE', 'personal_budget': 'INTEGER', "
                "'residential': 'INTEGER', 'work_based': 'INTEGER'})")
    con.execute(f"create table facts as select * from read_csv('{facts_dir}/facts.csv', {opts}, types = {{"
                "'person': 'BIGINT', 'kind': 'VARCHAR', 'start_date': 'DATE', 'end_date': 'DATE', 'code': 'VARCHAR', "
                "'flags': 'INTEGER', 'n1': 'BIGINT', 'n2': 'BIGINT', 'locality': 'VARCHAR'})")
    con.execute("create index facts_person on facts (person)")
    # Each LA's span of each kind of fact: the first start to the last end (an open one runs on).
    con.execute("create table kind_span as select pe.la, f.kind, min(f.start_date) as lo, "
                "max(coalesce(f.end_date, date '9999-12-31')) as hi from facts f join persons pe using (person) group by all")
    con.execute(f"create table meta as select * from read_csv('{facts_dir}/meta.csv', {opts}, "
                "types = {'as_of': 'DATE', 'clock_errors': 'BIGINT'})")


def years(con):
    """Every year with activity, as Waymark's engine chooses them (first complete year to the last)."""
    as_of = con.execute("select as_of from meta").fetchone()[0]
    first = con.execute("select min(coalesce(final_issued, received)) from cases").fetchone()[0]
    first_year = as_of.year - 1 if first is None else max(first.year, as_of.year - 10)
    first_received = con.execute("select min(received) from cases").fetchone()[0]
    if first_received is not None and (first_received.month > 1 or first_received.day > 7):
        first_year += 1
    return list(range(first_year, as_of.year))


# Census-based base sets: DfE counts their pupils by the census's SEN provision, so a pupil whose
# record holds no SEN status takes the SEN provision of their spring census (January to March of the
# academic year of the record's date), where they are on one.
CENSUS_SEN_BASES = ("census_pupils", "attendance", "ks2", "ks4", "eyfsp", "phonics")


def enrich(base):
    """The base's records with the person's SEN status, placement and age on the record's date."""
    sql = PUPILS if base == "pupils" else BASES[base]
    status = "coalesce(sa.status, 'N')"
    if base in CENSUS_SEN_BASES:
        spring = ("make_date(year(recs.anchor) + (month(recs.anchor) >= 9)::int, 1, 1) and "
                  "make_date(year(recs.anchor) + (month(recs.anchor) >= 9)::int, 3, 31)")
        status = (f"case when {status} <> 'N' then sa.status else coalesce((select arg_max(f.code, f.start_date) "
                  f"from facts f where f.person = recs.person and f.kind = 'census' and f.start_date between {spring}), "
                  f"'N') end")
    return f"""
    with recs as (select * from ({sql}) as b(label, person, case_id, review_id, anchor)),
    keys as (select distinct person, anchor from recs),
    sen_at as (
        select k.person, k.anchor, arg_max(s.status, s.from_date) as status, arg_max(s.need, s.from_date) as need
        from keys k join sen_status s on s.person = k.person and s.from_date <= k.anchor group by all),
    pl_at as (
        select k.person, k.anchor, arg_max(pl.kind, pl.rn) as setting, arg_max(pl.unit_or_rp, pl.rn) as unit_or_rp,
               arg_max(pl.setting_locality, pl.rn) as setting_locality
        from keys k join placements pl on pl.person = k.person and pl.entry <= k.anchor
             and (pl.leaving is null or k.anchor <= pl.leaving) group by all),
    pv_at as (
        select r.case_id, r.anchor, arg_max(v.personal_budget, v.rn) as personal_budget
        from (select distinct case_id, anchor from recs where case_id is not null) r
        join plan_versions v on v.case_id = r.case_id and v.from_date <= r.anchor group by all)
    select recs.label, recs.person, recs.case_id, recs.anchor, pr.start_d, pr.end_d, pr.ref_d, pe.la, pe.locality,
           coalesce((select arg_max(f.flags & 1, f.start_date) from facts f
                     where f.person = recs.person and f.kind = 'census' and f.start_date <= recs.anchor), pe.fsm) as fsm,
           {status} as status, sa.need, coalesce(pa.setting, 'unknown') as setting,
           coalesce(pa.unit_or_rp, 0) as unit_or_rp, pa.setting_locality,
           year(recs.anchor) - year(pe.birth_month) - (month(recs.anchor) < month(pe.birth_month))::int as age,
           coalesce(pv.personal_budget, 0) as personal_budget,
           c.received, c.assess_decision, c.assess_refused, c.not_issue, c.final_issued, c.week20_exception,
           c.received_unknown, c.decision_unknown, c.cease_reason, c.delays, rv.meeting, rv.decision
    from recs join persons pe using (person) join periods pr on pr.label = recs.label
    left join sen_at sa on sa.person = recs.person and sa.anchor = recs.anchor
    left join pl_at pa on pa.person = recs.person and pa.anchor = recs.anchor
    left join pv_at pv on pv.case_id = recs.case_id and pv.anchor = recs.anchor
    left join cases c on c.case_id = recs.case_id
    left join reviews rv on rv.review_id = recs.review_id
    """


def compute(con):
    """Rows (framework, indicator, period, la, cohort, numerator, denominator, value)."""
    ys = years(con)
    many_las = con.execute("select count(distinct la) from persons").fetchone()[0] > 1
    rows = []
    for kind in ("calendar_year", "academic_year", "census"):
        wanted = {k: v for k, v in INDICATORS.items() if v["kind"] == kind}
        if not wanted:
            continue
        con.execute("create or replace temp table periods (label varchar, start_d date, end_d date, ref_d date)")
        con.executemany("insert into periods values (?, ?, ?, ?)", [p for y in ys for p in periods(kind, y)])
        bases = sorted({t[0] for v in wanted.values() for part in ("num", "den") for t in (v[part] or [])})
        for base in bases:
            con.execute(f"create or replace temp table enriched_{base} as {enrich(base)}")
        for ident, spec in wanted.items():
            counts = {}
            for part in ("num", "den"):
                for term in spec[part] or []:
                    base, cond = term[0], term[1]
                    weight = term[2] if len(term) > 2 else "1"
                    q = (f"select label, la, locality, grouping(la) as g_la, grouping(locality) as g_loc, "
                         f"coalesce(sum({weight}), 0)::bigint "
                         f"from enriched_{base} e where {cond} and {holds(spec['needs'])} "
                         f"group by grouping sets ((label), (label, la), (label, la, locality))")
                    for label, la, loc, g_la, g_loc, n in con.execute(q).fetchall():
                        if g_la:
                            area = ("england", "all")
                        elif g_loc:
                            area = (la, "all")
                        elif loc is None:
                            continue
                        else:
                            area = (la, f"locality={loc}")
                        key = (label,) + area
                        counts.setdefault(key, [0, 0])[0 if part == "num" else 1] += n
            for (label, la, cohort), (num, den) in sorted(counts.items()):
                if la == "england" and not many_las:
                    continue
                if spec["unit"] == "count":
                    rows.append((spec["framework"], ident, label, la, cohort, num, None, float(num)))
                elif spec["unit"] == "average_hundredths":
                    # A total held in hundredths over a count: points to one decimal place.
                    value = None if den == 0 else ((num * 20 + den * 100) // (2 * den * 100)) / 10
                    rows.append((spec["framework"], ident, label, la, cohort, num, den, value))
                else:
                    # Tenths, rounded half away from zero, in integers.
                    value = None if den == 0 else ((num * 100 * 20 + den) // (2 * den)) / 10
                    rows.append((spec["framework"], ident, label, la, cohort, num, den, value))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("facts_dir")
    ap.add_argument("--out")
    ap.add_argument("--timings", action="store_true")
    ap.add_argument("--threads", type=int)
    ap.add_argument("--memory-limit", default="6GB", help="DuckDB's memory limit; it spills to a temporary folder beyond it")
    args = ap.parse_args()
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{args.memory_limit}'")
    con.execute(f"set temp_directory = '{args.facts_dir}/duckdb.tmp'")
    if args.threads:
        con.execute(f"set threads = {args.threads}")
    t0 = time.perf_counter()
    load(con, args.facts_dir)
    t1 = time.perf_counter()
    rows = compute(con)
    t2 = time.perf_counter()
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    out.write("framework,indicator,period,la,cohort,numerator,denominator,value\n")
    for r in rows:
        cohort = '"' + r[4].replace('"', '""') + '"' if ("," in r[4] or '"' in r[4]) else r[4]
        value = "" if r[7] is None else (str(int(r[7])) if float(r[7]).is_integer() else f"{r[7]:.1f}")
        out.write(f"{r[0]},{r[1]},{r[2]},{r[3]},{cohort},{r[5]},{'' if r[6] is None else r[6]},{value}\n")
    if args.out:
        out.close()
    if args.timings:
        print(f"load_seconds={t1 - t0:.3f} compute_seconds={t2 - t1:.3f}", file=sys.stderr)


if __name__ == "__main__":
    main()
