//! `waymark child ...`: record a child or young person and look them up. Every value is parsed by the
//! domain's rules; a bad one is refused with the field and the rule it breaks.

use crate::commands::store::{block_on, open_store, store_failure, StoreArgs};
use crate::Failure;
use waymark_domain::calendar::parse_iso_date;
use waymark_domain::child::{NewChild, PersonName, Sex};
use waymark_domain::ids::ChildId;
use waymark_storage::{ChildKey, Store};

#[derive(clap::Subcommand)]
pub enum Command {
    /// Record a new child or young person; prints their Waymark id.
    Add(AddArgs),
    /// Show a child's record (the read is audited).
    Show(ShowArgs),
    /// Every version of a child's record: who changed it, when and why.
    History(ShowArgs),
    /// Find children by an identifier another agency holds.
    Find(FindArgs),
}

#[derive(clap::Args)]
pub struct AddArgs {
    #[arg(long)]
    forename: String,
    #[arg(long)]
    surname: String,
    /// Date of birth, YYYY-MM-DD.
    #[arg(long, value_name = "DATE")]
    dob: String,
    /// M or F (SEN2 item 1.4).
    #[arg(long)]
    sex: String,
    /// The responsible local authority's 3-digit DfE number.
    #[arg(long, value_name = "CODE")]
    la: String,
    /// CBDS ethnicity code, e.g. WBRI.
    #[arg(long)]
    ethnicity: Option<String>,
    #[arg(long)]
    postcode: Option<String>,
    /// Unique Pupil Number (checked with its check letter).
    #[arg(long)]
    upn: Option<String>,
    /// Unique Learner Number.
    #[arg(long)]
    uln: Option<String>,
    /// NHS number.
    #[arg(long)]
    nhs_number: Option<String>,
    /// Why the record is made, for the history.
    #[arg(long, default_value = "recorded from the command line")]
    reason: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// The child's Waymark id.
    id: String,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(clap::Args)]
pub struct FindArgs {
    #[arg(long, group = "key")]
    upn: Option<String>,
    #[arg(long, group = "key")]
    uln: Option<String>,
    #[arg(long, group = "key")]
    nhs_number: Option<String>,
    #[command(flatten)]
    store: StoreArgs,
}

fn field<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, Failure>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e| Failure::input(format!("--{name}: {e}")))
}

fn optional<T: std::str::FromStr>(name: &str, value: &Option<String>) -> Result<Option<T>, Failure>
where
    T::Err: std::fmt::Display,
{
    value.as_deref().map(|v| field(name, v)).transpose()
}

fn parse_new(a: &AddArgs) -> Result<NewChild, Failure> {
    Ok(NewChild {
        name: PersonName::new(&a.forename, &a.surname).map_err(|e| Failure::input(e.to_string()))?,
        date_of_birth: parse_iso_date(&a.dob).map_err(|e| Failure::input(format!("--dob: {e}")))?,
        sex: match a.sex.trim().to_ascii_uppercase().as_str() {
            "M" => Sex::Male,
            "F" => Sex::Female,
            other => return Err(Failure::input(format!("--sex: '{other}' is not M or F"))),
        },
        ethnicity: optional("ethnicity", &a.ethnicity)?,
        postcode: optional("postcode", &a.postcode)?,
        upn: optional("upn", &a.upn)?,
        uln: optional("uln", &a.uln)?,
        nhs_number: optional("nhs-number", &a.nhs_number)?,
        responsible_la: field("la", &a.la)?,
    })
}

pub fn run(cmd: Command) -> Result<(), Failure> {
    match cmd {
        Command::Add(a) => {
            let new = parse_new(&a)?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                let child = store.create_child(&a.store.actor(), new, &a.reason).await.map_err(store_failure)?;
                println!("{}", child.value.id);
                Ok(())
            })
        }
        Command::Show(a) => {
            let id: ChildId = field("id", &a.id)?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                let actor = a.store.actor();
                let child = store.get_child(&actor, id).await.map_err(store_failure)?;
                let cases = store.cases_for_child(&actor, id).await.map_err(store_failure)?;
                let out = serde_json::json!({"child": child.value, "version": child.version, "cases": cases});
                println!("{}", serde_json::to_string_pretty(&out).expect("serialisable"));
                Ok(())
            })
        }
        Command::History(a) => {
            let id: ChildId = field("id", &a.id)?;
            block_on(async move {
                let store = open_store(&a.store).await?;
                let history = store.child_history(&a.store.actor(), id).await.map_err(store_failure)?;
                println!("{}", serde_json::to_string_pretty(&history).expect("serialisable"));
                Ok(())
            })
        }
        Command::Find(a) => {
            let key = match (&a.upn, &a.uln, &a.nhs_number) {
                (Some(v), _, _) => ChildKey::Upn(field("upn", v)?),
                (_, Some(v), _) => ChildKey::Uln(field("uln", v)?),
                (_, _, Some(v)) => ChildKey::NhsNumber(field("nhs-number", v)?),
                _ => return Err(Failure::input("give one of --upn, --uln or --nhs-number")),
            };
            block_on(async move {
                let store = open_store(&a.store).await?;
                let found = store.find_children(&a.store.actor(), &key).await.map_err(store_failure)?;
                for c in found {
                    println!("{}", c.value.id);
                }
                Ok(())
            })
        }
    }
}
