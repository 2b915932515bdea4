//! Writing a SEN2 return as a stream: the header, then each person as it is built, each written and
//! dropped, so a national-size return never sits in memory. Element order follows the schema for the
//! collection's year.

use crate::collection::Collection;
use crate::model::*;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::io::{self, Write};
use waymark_domain::calendar::Date;

/// A return being written.
pub struct Sen2Writer<W: Write> {
    w: quick_xml::Writer<W>,
    collection: Collection,
    persons_open: bool,
    persons: u64,
}

impl<W: Write> Sen2Writer<W> {
    /// Start the return: the XML declaration, `<Message>` and the header.
    pub fn new(out: W, collection: Collection, header: &Header) -> io::Result<Self> {
        let mut w = quick_xml::Writer::new_with_indent(out, b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let mut me = Self { w, collection, persons_open: false, persons: 0 };
        me.open("Message")?;
        me.open("Header")?;
        me.open("CollectionDetails")?;
        me.opt("Collection", &header.collection)?;
        me.opt("Year", &header.year)?;
        me.date("ReferenceDate", header.reference_date)?;
        me.close("CollectionDetails")?;
        me.open("Source")?;
        me.opt("SourceLevel", &header.source_level)?;
        me.opt("LEA", &header.lea)?;
        me.opt("SoftwareCode", &header.software_code)?;
        me.opt("Release", &header.release)?;
        me.opt("SerialNo", &header.serial_no)?;
        me.opt("DateTime", &header.date_time)?;
        me.opt("DMO", &header.dmo)?;
        me.opt("DCO", &header.dco)?;
        me.opt("DSCO", &header.dsco)?;
        me.close("Source")?;
        me.close("Header")?;
        Ok(me)
    }

    /// How many persons have been written.
    pub fn persons(&self) -> u64 {
        self.persons
    }

    fn open(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Event::Start(BytesStart::new(name)))
    }
    fn close(&mut self, name: &str) -> io::Result<()> {
        self.w.write_event(Event::End(BytesEnd::new(name)))
    }
    fn text(&mut self, name: &str, value: &str) -> io::Result<()> {
        self.open(name)?;
        self.w.write_event(Event::Text(BytesText::new(value)))?;
        self.close(name)
    }
    fn opt(&mut self, name: &str, value: &Option<String>) -> io::Result<()> {
        match value {
            Some(v) => self.text(name, v),
            None => Ok(()),
        }
    }
    fn date(&mut self, name: &str, value: Option<Date>) -> io::Result<()> {
        match value {
            Some(d) => self.text(name, &d.format("%Y-%m-%d").to_string()),
            None => Ok(()),
        }
    }

    /// Write one person with all their modules.
    pub fn write_person(&mut self, p: &Sen2Person) -> io::Result<()> {
        if !self.persons_open {
            self.open("Persons")?;
            self.persons_open = true;
        }
        self.persons += 1;
        self.open("Person")?;
        self.opt("Surname", &p.surname)?;
        self.opt("Forename", &p.forename)?;
        self.date("PersonBirthDate", p.birth_date)?;
        self.opt("Sex", &p.sex)?;
        self.opt("Ethnicity", &p.ethnicity)?;
        self.opt("PostCode", &p.postcode)?;
        self.opt("UPN", &p.upn)?;
        self.opt("UniqueLearnerNumber", &p.uln)?;
        self.opt("UPNunknown", &p.upn_unknown)?;
        for r in &p.requests {
            self.request(r)?;
        }
        self.close("Person")
    }

    fn request(&mut self, r: &Request) -> io::Result<()> {
        self.open("Requests")?;
        self.date("ReceivedDate", r.received_date)?;
        self.opt("RequestSource", &r.request_source)?;
        self.opt("RYA", &r.rya)?;
        self.date("RequestOutcomeDate", r.outcome_date)?;
        self.opt("RequestOutcome", &r.outcome)?;
        self.opt("RequestMediation", &r.mediation)?;
        self.opt("RequestTribunal", &r.tribunal)?;
        self.opt("Exported", &r.exported)?;
        if let Some(a) = &r.assessment {
            self.open("Assessment")?;
            self.opt("AssessmentOutcome", &a.outcome)?;
            self.date("AssessmentOutcomeDate", a.outcome_date)?;
            self.opt("AssessmentMediation", &a.mediation)?;
            self.opt("AssessmentTribunal", &a.tribunal)?;
            self.opt("OtherMediation", &a.other_mediation)?;
            self.opt("OtherTribunal", &a.other_tribunal)?;
            self.opt("Week20", &a.week20)?;
            if let Some(np) = &a.named_plan {
                self.open("NamedPlan")?;
                self.date("StartDate", np.start_date)?;
                for d in &np.plan_details {
                    self.setting("PlanDetail", d, false)?;
                }
                self.opt("PlanRes", &np.plan_res)?;
                self.opt("PlanWBP", &np.plan_wbp)?;
                self.opt("PB", &np.pb)?;
                self.opt("OA", &np.oa)?;
                self.opt("DP", &np.dp)?;
                self.date("CeaseDate", np.cease_date)?;
                self.opt("CeaseReason", &np.cease_reason)?;
                self.close("NamedPlan")?;
            }
            self.close("Assessment")?;
        }
        if let Some(ap) = &r.active_plans {
            self.open("ActivePlans")?;
            self.opt("TransferLA", &ap.transfer_la)?;
            for d in &ap.placements {
                self.setting("PlacementDetail", d, true)?;
            }
            for n in &ap.needs {
                self.open("SENneed")?;
                self.opt("SENtype", &n.sen_type)?;
                self.opt("SENtypeRank", &n.rank)?;
                self.close("SENneed")?;
            }
            self.date("ReviewMeeting", ap.review_meeting)?;
            if !self.collection.last_review_at_end() {
                self.date("LastReview", ap.last_review)?;
            }
            self.opt("ReviewOutcome", &ap.review_outcome)?;
            self.date("ReviewDraft", ap.review_draft)?;
            self.date("PhaseTransferDueDate", ap.phase_transfer_due)?;
            self.date("PhaseTransferFinalDate", ap.phase_transfer_final)?;
            if self.collection.last_review_at_end() {
                self.date("LastReview", ap.last_review)?;
            }
            self.close("ActivePlans")?;
        }
        self.close("Requests")
    }

    fn setting(&mut self, name: &str, d: &SettingDetail, placement: bool) -> io::Result<()> {
        self.open(name)?;
        self.opt("URN", &d.urn)?;
        self.opt("UKPRN", &d.ukprn)?;
        self.opt("SENSetting", &d.sen_setting)?;
        self.opt("SENSettingOther", &d.sen_setting_other)?;
        self.opt("PlacementRank", &d.rank)?;
        if placement {
            self.date("EntryDate", d.entry_date)?;
            self.date("LeavingDate", d.leaving_date)?;
        }
        self.opt("SENunitIndicator", &d.sen_unit)?;
        self.opt("ResourcedProvisionIndicator", &d.resourced_provision)?;
        if placement {
            self.opt("Res", &d.res)?;
            self.opt("WBP", &d.wbp)?;
        }
        self.close(name)
    }

    /// Close the return and hand back the output (flush it if it is buffered).
    pub fn finish(mut self) -> io::Result<W> {
        if self.persons_open {
            self.close("Persons")?;
        }
        self.close("Message")?;
        let mut out = self.w.into_inner();
        out.write_all(b"\n")?;
        Ok(out)
    }
}
