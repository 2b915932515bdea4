//! Files kept on a case: what kind each is, which file types are accepted, and the check of an upload's
//! content (its type sniffed from its bytes, never taken from its name).

use std::io::Cursor;

use waymark_domain::case::AdviceParty;

/// The largest file accepted: 20 MB (issue 13), which fits a scanned report.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// What a document on a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// Advice for the EHC needs assessment from one party (SEND Regulations 2014, reg 6(1)).
    Advice(AdviceParty),
    /// The family's own views, interests and aspirations (reg 6(1)(a); plan section A).
    FamilyViews,
    DraftPlan,
    FinalPlan,
    /// The annual review report (reg 20(7)).
    ReviewReport,
    /// A letter sent to the family (a decision, a notice).
    Letter,
    Other,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 12] = [
        Self::Advice(AdviceParty::Parent),
        Self::Advice(AdviceParty::Education),
        Self::Advice(AdviceParty::Health),
        Self::Advice(AdviceParty::SocialCare),
        Self::Advice(AdviceParty::EducationalPsychology),
        Self::Advice(AdviceParty::Other),
        Self::FamilyViews,
        Self::DraftPlan,
        Self::FinalPlan,
        Self::ReviewReport,
        Self::Letter,
        Self::Other,
    ];

    /// The code used in the API and the database: `advice_health`, `family_views`, `draft_plan`, ...
    pub fn code(self) -> String {
        match self {
            Self::Advice(p) => format!("advice_{}", p.key()),
            Self::FamilyViews => "family_views".into(),
            Self::DraftPlan => "draft_plan".into(),
            Self::FinalPlan => "final_plan".into(),
            Self::ReviewReport => "review_report".into(),
            Self::Letter => "letter".into(),
            Self::Other => "other".into(),
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }

    /// How people name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Advice(AdviceParty::Parent) => "Advice from the family",
            Self::Advice(AdviceParty::Education) => "Educational advice (school or setting)",
            Self::Advice(AdviceParty::Health) => "Health advice",
            Self::Advice(AdviceParty::SocialCare) => "Social care advice",
            Self::Advice(AdviceParty::EducationalPsychology) => "Psychological advice",
            Self::Advice(AdviceParty::Other) => "Other advice",
            Self::FamilyViews => "The family's views",
            Self::DraftPlan => "Draft plan",
            Self::FinalPlan => "Final plan",
            Self::ReviewReport => "Annual review report",
            Self::Letter => "Letter",
            Self::Other => "Other document",
        }
    }
}

/// A file type Waymark accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    Pdf,
    Docx,
    Odt,
    Rtf,
    Jpeg,
    Png,
}

impl FileType {
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Rtf => "application/rtf",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Docx => "docx",
            Self::Odt => "odt",
            Self::Rtf => "rtf",
            Self::Jpeg => "jpg",
            Self::Png => "png",
        }
    }

    pub fn from_media_type(media_type: &str) -> Option<Self> {
        [Self::Pdf, Self::Docx, Self::Odt, Self::Rtf, Self::Jpeg, Self::Png].into_iter().find(|t| t.media_type() == media_type)
    }

    /// How people name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pdf => "PDF",
            Self::Docx => "Word document",
            Self::Odt => "OpenDocument text",
            Self::Rtf => "Rich text",
            Self::Jpeg => "JPEG image",
            Self::Png => "PNG image",
        }
    }
}

/// Why an upload is refused, in words for the person uploading.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("The selected file is empty")]
    Empty,
    #[error("The selected file must be smaller than 20 MB")]
    TooLarge,
    #[error("The selected file must be a PDF, Word document (DOCX), OpenDocument text (ODT), rich text (RTF), JPEG or PNG")]
    NotAccepted,
    #[error("The selected file looks like a {0} but is damaged or incomplete: save it again and upload the new copy")]
    Corrupt(&'static str),
}

/// The type of an upload from its content, checked to be whole: a PDF ends with its end-of-file
/// marker, a DOCX or ODT is a readable zip holding its main part, an RTF closes its group, a PNG has
/// its end chunk and a JPEG its end marker. The name the file came with plays no part.
pub fn check_upload(bytes: &[u8]) -> Result<FileType, UploadError> {
    if bytes.is_empty() {
        return Err(UploadError::Empty);
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooLarge);
    }
    let kind = infer::get(bytes).ok_or(UploadError::NotAccepted)?;
    let file_type = match kind.mime_type() {
        "application/pdf" => FileType::Pdf,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => FileType::Docx,
        "application/vnd.oasis.opendocument.text" => FileType::Odt,
        "application/rtf" => FileType::Rtf,
        "image/jpeg" => FileType::Jpeg,
        "image/png" => FileType::Png,
        _ => return Err(UploadError::NotAccepted),
    };
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    let whole = match file_type {
        FileType::Pdf => contains(tail, b"%%EOF"),
        FileType::Docx => zip_has(bytes, "word/document.xml"),
        FileType::Odt => zip_has(bytes, "content.xml"),
        FileType::Rtf => bytes.trim_ascii_end().ends_with(b"}"),
        FileType::Jpeg => bytes.ends_with(&[0xFF, 0xD9]) || contains(tail, &[0xFF, 0xD9]),
        FileType::Png => contains(tail, b"IEND"),
    };
    if whole {
        Ok(file_type)
    } else {
        Err(UploadError::Corrupt(file_type.label()))
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn zip_has(bytes: &[u8], part: &str) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes)).is_ok_and(|mut z| z.by_name(part).is_ok())
}

/// A file name fit to keep and to send back in a download: the last path component, control
/// characters, quotes and path separators removed, at most 120 characters, and the extension of the
/// type the content really is.
pub fn safe_filename(given: &str, file_type: FileType) -> String {
    let last = given.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String =
        last.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\'' | ';' | '<' | '>' | '*' | '?' | '|' | ':')).collect();
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, _)) => stem,
        None => cleaned.as_str(),
    };
    let stem: String = stem.trim().chars().take(120).collect();
    let stem = if stem.is_empty() { "document".to_string() } else { stem };
    format!("{stem}.{}", file_type.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_type_comes_from_the_content_not_the_name() {
        let pdf = crate::Document::new("Report").paragraph("Advice").to_pdf();
        assert_eq!(check_upload(&pdf), Ok(FileType::Pdf));
        let docx = crate::Document::new("Report").to_docx().expect("renders");
        assert_eq!(check_upload(&docx), Ok(FileType::Docx));
        assert_eq!(safe_filename("report.exe", FileType::Pdf), "report.pdf");
        assert_eq!(check_upload(b"MZ\x90\x00 an executable"), Err(UploadError::NotAccepted));
        assert_eq!(check_upload(b"just some text"), Err(UploadError::NotAccepted));
        assert_eq!(check_upload(b"{\\rtf1\\ansi Hello}"), Ok(FileType::Rtf));
    }

    #[test]
    fn a_truncated_file_is_refused_as_damaged() {
        let pdf = crate::Document::new("Report").paragraph("Advice").to_pdf();
        assert_eq!(check_upload(&pdf[..pdf.len() / 2]), Err(UploadError::Corrupt("PDF")));
        let docx = crate::Document::new("Report").to_docx().expect("renders");
        assert_eq!(check_upload(&docx[..docx.len() - 200]), Err(UploadError::Corrupt("Word document")));
        let png_head = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(check_upload(png_head), Err(UploadError::Corrupt("PNG image")));
    }

    #[test]
    fn empty_and_oversized_files_are_refused() {
        assert_eq!(check_upload(b""), Err(UploadError::Empty));
        let mut big = b"%PDF-1.7\n".to_vec();
        big.resize(MAX_UPLOAD_BYTES + 1, b' ');
        assert_eq!(check_upload(&big), Err(UploadError::TooLarge));
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(safe_filename("C:\\Users\\me\\SALT report \"final\".docx", FileType::Docx), "SALT report final.docx");
        assert_eq!(safe_filename("../../etc/passwd", FileType::Png), "passwd.png");
        assert_eq!(safe_filename("", FileType::Pdf), "document.pdf");
    }

    #[test]
    fn kinds_round_trip_through_their_codes() {
        for kind in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(&kind.code()), Some(kind));
        }
        assert_eq!(DocumentKind::Advice(AdviceParty::Health).code(), "advice_health");
        assert_eq!(DocumentKind::parse("advice_dentist"), None);
    }
}
