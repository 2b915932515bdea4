//! Identity matching benchmark: generates true persons, 2 or 3 agency records each with planted
//! errors at stated rates, runs blocking + the matcher, and prints pairwise precision and recall
//! against the truth for auto-merge, scored match, and match + review, beside a named baseline
//! (exact folded forename + surname + date of birth). Synthetic data only.
//!
//! `cargo run --release -p waymark-domain --example identity_bench -- [PERSONS] [SEED]`

use std::collections::HashMap;
use std::time::Instant;
use waymark_domain::child::{PersonName, Sex};
use waymark_domain::facts::identity::PersonKeys;
use waymark_domain::identifiers::{LaCode, NhsNumber, Postcode, Uln, Upn};
use waymark_domain::identity::{self, normalise, Decision};
use waymark_domain::Date;

/// Planted error rates, per agency record.
const NAME_TYPO: f64 = 0.08;
const NICKNAME: f64 = 0.03;
const SWAPPED_NAMES: f64 = 0.03;
const DOB_TRANSPOSED: f64 = 0.03;
const DOB_ONE_DIGIT: f64 = 0.02;
const POSTCODE_MOVED: f64 = 0.15;
const IDENTIFIER_MISSING: f64 = 0.25;
const IDENTIFIER_MISTYPED: f64 = 0.01;
const TWIN: f64 = 0.02;

const FORENAMES_M: &[&str] = &[
    "Oliver",
    "George",
    "Harry",
    "Noah",
    "Jack",
    "Leo",
    "Arthur",
    "Muhammad",
    "Oscar",
    "Charlie",
    "Jacob",
    "Thomas",
    "Henry",
    "William",
    "Alfie",
    "Joshua",
    "Freddie",
    "Archie",
    "James",
    "Ethan",
    "Isaac",
    "Alexander",
    "Joseph",
    "Edward",
    "Samuel",
    "Max",
    "Daniel",
    "Benjamin",
    "Logan",
    "Mohammed",
    "Dylan",
    "Theo",
    "Lucas",
    "Jayden",
    "Riley",
    "Adam",
    "Matthew",
    "Reuben",
];
const FORENAMES_F: &[&str] = &[
    "Olivia",
    "Amelia",
    "Isla",
    "Ava",
    "Mia",
    "Ivy",
    "Lily",
    "Isabella",
    "Rosie",
    "Sophia",
    "Grace",
    "Willow",
    "Freya",
    "Florence",
    "Emily",
    "Ella",
    "Poppy",
    "Evie",
    "Elsie",
    "Charlotte",
    "Evelyn",
    "Sienna",
    "Sofia",
    "Daisy",
    "Phoebe",
    "Sophie",
    "Alice",
    "Harper",
    "Matilda",
    "Ruby",
    "Emilia",
    "Maya",
    "Jessica",
    "Elizabeth",
    "Zoë",
    "Katherine",
    "Rebecca",
    "Victoria",
];
const SURNAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Williams",
    "Taylor",
    "Brown",
    "Davies",
    "Evans",
    "Wilson",
    "Thomas",
    "Johnson",
    "Roberts",
    "Robinson",
    "Thompson",
    "Wright",
    "Walker",
    "White",
    "Edwards",
    "Hughes",
    "Green",
    "Hall",
    "Lewis",
    "Harris",
    "Clarke",
    "Patel",
    "Jackson",
    "Wood",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Morris",
    "Moore",
    "Clark",
    "Lee",
    "King",
    "Baker",
    "Harrison",
    "Morgan",
    "Allen",
    "James",
    "Scott",
    "Phillips",
    "Watson",
    "Davis",
    "Parker",
    "Price",
    "Bennett",
    "Young",
    "Griffiths",
    "Mitchell",
    "Kelly",
    "Cook",
    "Carter",
    "Richardson",
    "Bailey",
    "Collins",
    "Bell",
    "Shaw",
    "Murphy",
    "Miller",
    "Cox",
    "Richards",
    "Khan",
    "Marshall",
    "Anderson",
    "Simpson",
    "Ellis",
    "Adams",
    "Singh",
    "Begum",
    "Wilkinson",
    "Foster",
    "Chapman",
    "Powell",
    "Webb",
    "Rogers",
    "Gray",
    "Mason",
    "Ali",
    "Hunt",
    "Hussain",
    "Campbell",
    "Matthews",
    "Owen",
    "Palmer",
    "Holmes",
    "Mills",
    "Barnes",
    "Knight",
    "Lloyd",
    "Butler",
    "Russell",
    "Barker",
    "Fisher",
    "Stevens",
    "Jenkins",
    "Murray",
    "Dixon",
    "Harvey",
    "Smith-Jones",
    "O'Neil",
    "Nowak",
    "Kowalski",
    "Ahmed",
    "Rahman",
    "Nguyen",
    "Okafor",
    "Mensah",
];
const OUTWARDS: &[&str] = &["PO1", "PO2", "PO3", "PO4", "PO5", "PO6", "SO14", "SO15", "SO16", "SO17", "SO18", "SO19"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

#[derive(Clone)]
struct Truth {
    forename: String,
    surname: String,
    dob: Date,
    sex: Sex,
    postcode: Postcode,
    upn: Option<Upn>,
    nhs: Option<NhsNumber>,
    uln: Option<Uln>,
    scid: String,
}

fn postcode(rng: &mut Rng) -> Postcode {
    let letters = b"ABDEFGHJLNPQRSTUWXYZ";
    let text = format!(
        "{} {}{}{}",
        rng.pick(OUTWARDS),
        rng.below(10),
        letters[rng.below(letters.len())] as char,
        letters[rng.below(letters.len())] as char
    );
    text.parse().expect("generated postcode is valid")
}

fn nhs(rng: &mut Rng) -> NhsNumber {
    loop {
        if let Some(n) = NhsNumber::from_stem(&format!("{:09}", 400_000_000 + rng.below(500_000_000))) {
            return n;
        }
    }
}

fn uln(rng: &mut Rng) -> Uln {
    loop {
        if let Some(n) = Uln::from_stem(&format!("{:09}", 100_000_000 + rng.below(899_999_999))) {
            return n;
        }
    }
}

/// A person's UPN, unique by construction (as real UPNs are).
fn upn_for(i: usize, year: i32) -> Upn {
    Upn::from_body(&format!("851{:04}{:02}{:03}", 2000 + i / 1000, year % 100, i % 1000)).expect("valid UPN body")
}

/// A mistyped UPN that still passes its check letter.
fn upn(rng: &mut Rng, year: i32) -> Upn {
    Upn::from_body(&format!("851{:04}{:02}{:03}", rng.below(10_000), year % 100, rng.below(1000))).expect("valid UPN body")
}

fn truth(rng: &mut Rng, i: usize) -> Truth {
    let sex = if rng.chance(0.5) { Sex::Male } else { Sex::Female };
    let forename = rng.pick(if sex == Sex::Male { FORENAMES_M } else { FORENAMES_F }).to_owned();
    let year = 2007 + rng.below(14) as i32;
    let dob = Date::from_yo_opt(year, 1 + rng.below(365) as u32).expect("valid ordinal");
    Truth {
        forename,
        surname: rng.pick(SURNAMES).to_owned(),
        dob,
        sex,
        postcode: postcode(rng),
        upn: Some(upn_for(i, year)),
        nhs: Some(nhs(rng)),
        uln: if year <= 2010 { Some(uln(rng)) } else { None },
        scid: format!("SC{i:06}"),
    }
}

fn typo(rng: &mut Rng, name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.len() < 3 {
        return name.to_owned();
    }
    let at = 1 + rng.below(chars.len() - 1);
    match rng.below(4) {
        0 => {
            chars.remove(at);
        }
        1 => chars.insert(at, (b'a' + rng.below(26) as u8) as char),
        2 => chars[at] = (b'a' + rng.below(26) as u8) as char,
        _ => chars.swap(at - 1, at),
    }
    chars.into_iter().collect()
}

fn short_form(name: &str) -> Option<&'static str> {
    Some(match name {
        "William" => "Bill",
        "James" => "Jamie",
        "Alexander" => "Alex",
        "Thomas" => "Tom",
        "Samuel" => "Sam",
        "Benjamin" => "Ben",
        "Daniel" => "Danny",
        "Elizabeth" => "Beth",
        "Katherine" => "Kate",
        "Rebecca" => "Becky",
        "Victoria" => "Vicky",
        "Matthew" => "Matt",
        "Joseph" => "Joe",
        "Charlotte" => "Lottie",
        _ => return None,
    })
}

/// One agency's record of a person: `carries` says which identifiers the agency holds.
fn record(rng: &mut Rng, la: LaCode, t: &Truth, carries: [bool; 4]) -> PersonKeys {
    let mut k = PersonKeys::new(la);
    let mut forename = t.forename.clone();
    let mut surname = t.surname.clone();
    if rng.chance(NICKNAME) {
        if let Some(s) = short_form(&forename) {
            forename = s.to_owned();
        }
    }
    if rng.chance(NAME_TYPO) {
        if rng.chance(0.5) {
            forename = typo(rng, &forename);
        } else {
            surname = typo(rng, &surname);
        }
    }
    if rng.chance(SWAPPED_NAMES) {
        std::mem::swap(&mut forename, &mut surname);
    }
    k.name = PersonName::new(&forename, &surname).ok();
    let mut dob = t.dob;
    use chrono::Datelike;
    if rng.chance(DOB_TRANSPOSED) {
        if let Some(d) = Date::from_ymd_opt(dob.year(), dob.day(), dob.month()) {
            dob = d;
        }
    } else if rng.chance(DOB_ONE_DIGIT) {
        let shifted = if dob.day() < 20 { dob.with_day(dob.day() + 10) } else { dob.with_day(dob.day() - 10) };
        dob = shifted.unwrap_or(dob);
    }
    k.date_of_birth = Some(dob);
    k.sex = Some(t.sex);
    k.postcode = Some(if rng.chance(POSTCODE_MOVED) { postcode(rng) } else { t.postcode.clone() });
    let keep = |rng: &mut Rng, carried: bool| carried && !rng.chance(IDENTIFIER_MISSING);
    if keep(rng, carries[0]) {
        k.upn = if rng.chance(IDENTIFIER_MISTYPED) { Some(upn(rng, dob.year())) } else { t.upn.clone() };
    }
    if keep(rng, carries[1]) {
        k.nhs_number = if rng.chance(IDENTIFIER_MISTYPED) { Some(nhs(rng)) } else { t.nhs.clone() };
    }
    if keep(rng, carries[2]) {
        k.uln = if rng.chance(IDENTIFIER_MISTYPED) { t.uln.as_ref().map(|_| uln(rng)) } else { t.uln.clone() };
    }
    if keep(rng, carries[3]) {
        k.social_care_id = t.scid.parse().ok();
    }
    k
}

#[derive(Default)]
struct Counts {
    tp: u64,
    fp: u64,
}

impl Counts {
    fn line(&self, name: &str, true_pairs: u64) {
        let precision = if self.tp + self.fp == 0 { 1.0 } else { self.tp as f64 / (self.tp + self.fp) as f64 };
        let recall = self.tp as f64 / true_pairs.max(1) as f64;
        println!("{name:<44} precision {:>7.3}%  recall {:>7.3}%  (true {} false {})", precision * 100.0, recall * 100.0, self.tp, self.fp);
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let persons: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(42);
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let la: LaCode = "851".parse().expect("valid LA");

    let mut truths: Vec<Truth> = Vec::with_capacity(persons);
    for i in 0..persons {
        if i > 0 && rng.chance(TWIN) {
            // A twin: same surname, date of birth and address; own forename and identifiers.
            let mut t = truth(&mut rng, i);
            let prev = truths[i - 1].clone();
            t.surname = prev.surname;
            t.dob = prev.dob;
            t.postcode = prev.postcode;
            truths.push(t);
        } else {
            truths.push(truth(&mut rng, i));
        }
    }
    // Agencies: school (UPN, NHS sometimes, ULN), health (NHS), social care (id, UPN, NHS sometimes).
    let mut records: Vec<PersonKeys> = Vec::new();
    let mut owner: Vec<usize> = Vec::new();
    for (p, t) in truths.iter().enumerate() {
        let school = [true, rng.chance(0.2), true, false];
        let health = [false, true, false, false];
        let social = [rng.chance(0.6), rng.chance(0.5), false, true];
        let agencies: Vec<[bool; 4]> = if rng.chance(0.4) { vec![school, health, social] } else { vec![school, health] };
        for carries in agencies {
            records.push(record(&mut rng, la, t, carries));
            owner.push(p);
        }
    }
    let mut per_person: HashMap<usize, u64> = HashMap::new();
    for &p in &owner {
        *per_person.entry(p).or_default() += 1;
    }
    let true_pairs: u64 = per_person.values().map(|n| n * (n - 1) / 2).sum();

    let started = Instant::now();
    let pairs = identity::candidate_pairs(&records, 500);
    let blocked = started.elapsed();
    let mut auto = Counts::default();
    let mut scored = Counts::default();
    let mut with_review = Counts::default();
    let mut review_only = Counts::default();
    let mut scored_band = Counts::default();
    let mut true_in_candidates = 0u64;
    let mut scores: Vec<(f64, bool)> = Vec::new();
    for &(i, j) in &pairs {
        let same = owner[i] == owner[j];
        true_in_candidates += same as u64;
        let c = identity::compare(&records[i], &records[j]);
        if c.rule.is_none() && c.score >= 3.0 {
            scores.push((c.score, same));
        }
        let tally = |counts: &mut Counts| if same { counts.tp += 1 } else { counts.fp += 1 };
        if c.auto_merge() {
            tally(&mut auto);
        }
        if c.decision == Decision::Match {
            tally(&mut scored);
            if c.rule.is_none() {
                tally(&mut scored_band);
            }
        }
        if c.decision != Decision::NonMatch {
            tally(&mut with_review);
        }
        if c.decision == Decision::Review {
            tally(&mut review_only);
        }
    }
    let elapsed = started.elapsed();

    // Baseline: exact folded forename + surname + date of birth.
    let base_started = Instant::now();
    let mut groups: HashMap<(String, String, Date), Vec<usize>> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        if let (Some(n), Some(d)) = (&r.name, r.date_of_birth) {
            groups.entry((normalise::fold(n.forename()), normalise::fold(n.surname()), d)).or_default().push(i);
        }
    }
    let mut baseline = Counts::default();
    for members in groups.values() {
        for (n, &i) in members.iter().enumerate() {
            for &j in &members[n + 1..] {
                if owner[i] == owner[j] {
                    baseline.tp += 1;
                } else {
                    baseline.fp += 1;
                }
            }
        }
    }
    let base_elapsed = base_started.elapsed();

    println!("identity_bench: {persons} persons, {} agency records, seed {seed}", records.len());
    println!(
        "planted per record: name typo {NAME_TYPO}, nickname {NICKNAME}, swapped names {SWAPPED_NAMES}, dob day/month {DOB_TRANSPOSED}, \
         dob digit {DOB_ONE_DIGIT}, postcode moved {POSTCODE_MOVED}, identifier missing {IDENTIFIER_MISSING}, identifier mistyped \
         {IDENTIFIER_MISTYPED}; twins {TWIN} of persons"
    );
    println!(
        "true pairs {true_pairs}; candidate pairs {} ({} true: blocking recall {:.3}%)",
        pairs.len(),
        true_in_candidates,
        true_in_candidates as f64 * 100.0 / true_pairs.max(1) as f64
    );
    auto.line("auto-merge (deterministic identifier rules)", true_pairs);
    scored.line("match band (rules + score >= upper)", true_pairs);
    scored_band.line("  of which scored only (no identifier)", true_pairs);
    review_only.line("  review band alone", true_pairs);
    with_review.line("match + review", true_pairs);
    baseline.line("baseline: exact name + date of birth", true_pairs);
    println!("scored pairs (no identifier rule) by threshold: score >= t gives true / false");
    for t in [5.0, 7.0, 9.0, 10.0, 11.0, 12.0, 13.0, 14.0, 15.0] {
        let (tp, fp) =
            scores.iter().filter(|(s, _)| *s >= t).fold((0, 0), |(tp, fp), &(_, same)| if same { (tp + 1, fp) } else { (tp, fp + 1) });
        println!("  t = {t:>4}: true {tp:>6} false {fp:>6}");
    }
    println!(
        "throughput: blocking {:.0} ms, blocking + matching {:.0} ms = {:.0} records/s, {:.0} comparisons/s; baseline {:.0} ms",
        blocked.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64() * 1000.0,
        records.len() as f64 / elapsed.as_secs_f64(),
        pairs.len() as f64 / elapsed.as_secs_f64(),
        base_elapsed.as_secs_f64() * 1000.0
    );
}
