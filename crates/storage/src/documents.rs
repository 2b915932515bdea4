//! Documents on a case: their metadata in `case_document`, their bytes in files under the data
//! directory named by SHA-256 (ADR 0020). A file is written (to a temporary name, synced, then renamed)
//! before the row that points at it is committed, so a row never names a missing file; two uploads of
//! the same bytes share one file. A removal keeps the file and the row, with who removed it and why.
//! Every write is audited in its transaction; every read of a list or of a file's bytes is audited in
//! the read-audit database.

use crate::sqlite::{check_request, col, db, not_found, parse_timestamp, scope_la, write_audit, Audit};
use crate::{Actor, AuditAction, Result, SqliteStore, StoreError};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::sqlite::SqliteRow;
use sqlx::SqliteConnection;
use std::future::Future;
use std::io::Write;
use std::path::PathBuf;
use uuid::Uuid;
use waymark_domain::identifiers::LaCode;
use waymark_domain::ids::{CaseId, ChildId, UserId};

/// A document to add to a case. `kind` is the document kind's code (`advice_health`, ...), which the
/// caller has parsed; `media_type` the type sniffed from the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument {
    pub case: CaseId,
    pub kind: String,
    pub filename: String,
    pub media_type: String,
    pub uploaded_by: Option<UserId>,
}

/// Who removed a document, when and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Removal {
    pub at: DateTime<Utc>,
    pub by: String,
    pub reason: String,
}

/// A document's metadata.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentRecord {
    pub document_id: Uuid,
    pub case_id: CaseId,
    pub child_id: ChildId,
    pub la: LaCode,
    pub kind: String,
    pub filename: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: Option<UserId>,
    /// The uploader's actor label (a user id, never a name).
    pub uploaded_by_label: String,
    pub uploaded_at: DateTime<Utc>,
    pub removed: Option<Removal>,
}

/// Documents on cases. The caller has already checked, through the user's selection, that the case
/// is theirs to see; the store limits every query to the actor's LA scope as well.
pub trait DocumentStore: Send + Sync {
    /// Store the bytes and add the document to the case. Audited as a creation on the case.
    fn add_document(&self, actor: &Actor, new: NewDocument, bytes: &[u8]) -> impl Future<Output = Result<DocumentRecord>> + Send;

    /// A case's documents, oldest first, removed ones included (the caller decides what to show).
    /// Audited as a read of the case.
    fn case_documents(&self, actor: &Actor, case: CaseId) -> impl Future<Output = Result<Vec<DocumentRecord>>> + Send;

    /// One document's metadata (not audited: no content is read; the download is).
    fn document(&self, actor: &Actor, id: Uuid) -> impl Future<Output = Result<DocumentRecord>> + Send;

    /// A document's bytes, checked against its SHA-256. Audited as a read of the case's document.
    fn read_document(&self, actor: &Actor, id: Uuid) -> impl Future<Output = Result<(DocumentRecord, Vec<u8>)>> + Send;

    /// Mark a document removed with the reason; the file and the row stay. Audited.
    fn remove_document(&self, actor: &Actor, id: Uuid, reason: &str) -> impl Future<Output = Result<DocumentRecord>> + Send;
}

const COLUMNS: &str = "d.document_id, d.case_id, c.child_id, c.la, d.kind, d.filename, d.media_type, d.size, d.sha256, \
                       d.uploaded_by, d.uploaded_by_label, d.uploaded_at, d.removed_at, d.removed_by_label, d.removed_reason";

fn parse<T: std::str::FromStr>(text: &str, what: &str) -> Result<T> {
    text.parse().map_err(|_| StoreError::Corrupt(format!("{what} {text:?} does not parse")))
}

fn record_from_row(row: &SqliteRow) -> Result<DocumentRecord> {
    let removed_at: Option<String> = col(row, "removed_at")?;
    let removed = match removed_at {
        Some(at) => Some(Removal {
            at: parse_timestamp(&at)?,
            by: col::<Option<String>>(row, "removed_by_label")?.unwrap_or_default(),
            reason: col::<Option<String>>(row, "removed_reason")?.unwrap_or_default(),
        }),
        None => None,
    };
    let uploaded_by: Option<String> = col(row, "uploaded_by")?;
    Ok(DocumentRecord {
        document_id: parse(&col::<String>(row, "document_id")?, "document id")?,
        case_id: parse(&col::<String>(row, "case_id")?, "case id")?,
        child_id: parse(&col::<String>(row, "child_id")?, "child id")?,
        la: parse(&col::<String>(row, "la")?, "LA code")?,
        kind: col(row, "kind")?,
        filename: col(row, "filename")?,
        media_type: col(row, "media_type")?,
        size: col(row, "size")?,
        sha256: col(row, "sha256")?,
        uploaded_by: uploaded_by.map(|u| parse(&u, "user id")).transpose()?,
        uploaded_by_label: col(row, "uploaded_by_label")?,
        uploaded_at: parse_timestamp(&col::<String>(row, "uploaded_at")?)?,
        removed,
    })
}

async fn load(conn: &mut SqliteConnection, actor: &Actor, id: Uuid) -> Result<DocumentRecord> {
    let sql = format!(
        "select {COLUMNS} from case_document d join ehc_case c using (case_id) where d.document_id = ?1 and (?2 is null or c.la = ?2)"
    );
    let row = sqlx::query(&sql)
        .bind(id.to_string())
        .bind(scope_la(actor))
        .fetch_optional(conn)
        .await
        .map_err(db)?
        .ok_or_else(|| not_found("document", id))?;
    record_from_row(&row)
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl SqliteStore {
    /// Where documents' files live: `documents/` beside the database file.
    pub fn documents_dir(&self) -> Result<PathBuf> {
        let path = self.path().ok_or_else(|| StoreError::Invalid("documents need a database file, not a database in memory".into()))?;
        Ok(path.parent().map(|p| p.join("documents")).unwrap_or_else(|| PathBuf::from("documents")))
    }

    pub(crate) fn document_path(&self, sha256: &str) -> Result<PathBuf> {
        Ok(self.documents_dir()?.join(&sha256[..2]).join(sha256))
    }

    /// Write `bytes` as the file named by their SHA-256, unless it exists: to a temporary name in the
    /// same folder, synced, then renamed, so the file is whole or absent.
    pub(crate) fn write_file(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        let path = self.document_path(sha256)?;
        if path.exists() {
            return Ok(());
        }
        let io = |e: std::io::Error| StoreError::Database(format!("the document could not be saved: {e}"));
        let dir = path.parent().ok_or_else(|| StoreError::Invalid("no folder for documents".into()))?;
        std::fs::create_dir_all(dir).map_err(io)?;
        let temp = dir.join(format!(".{sha256}.{}", Uuid::new_v4()));
        let result = (|| {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(bytes)?;
            file.sync_all()?;
            std::fs::rename(&temp, &path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        result.map_err(io)
    }
}

impl SqliteStore {
    /// Check a new document's bytes and name, and save its file (named by SHA-256, whole or absent);
    /// returns the SHA-256. The row is then written with [`insert_document`] in the caller's transaction.
    pub(crate) async fn save_document_file(&self, new: &NewDocument, bytes: &[u8]) -> Result<String> {
        if bytes.is_empty() {
            return Err(StoreError::Invalid("the document is empty".into()));
        }
        let filename = new.filename.trim();
        if filename.is_empty() || filename.chars().count() > 200 || filename.chars().any(char::is_control) {
            return Err(StoreError::Invalid("the file name must be 1 to 200 characters on one line".into()));
        }
        let sha256 = sha256_hex(bytes);
        let store = self.clone();
        let (hash, data) = (sha256.clone(), bytes.to_vec());
        tokio::task::spawn_blocking(move || store.write_file(&hash, &data))
            .await
            .map_err(|e| StoreError::Database(format!("the document could not be saved: {e}")))??;
        Ok(sha256)
    }
}

/// The row of a document whose file is saved, on a case in the actor's scope; audited. Returns its id.
pub(crate) async fn insert_document(
    tx: &mut SqliteConnection,
    actor: &Actor,
    new: &NewDocument,
    size: usize,
    sha256: &str,
    now: &str,
) -> Result<Uuid> {
    let id = Uuid::new_v4();
    let case = sqlx::query("select child_id, la from ehc_case where case_id = ?1 and (?2 is null or la = ?2)")
        .bind(new.case.to_string())
        .bind(scope_la(actor))
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?
        .ok_or_else(|| not_found("case", new.case))?;
    let child: ChildId = parse(&col::<String>(&case, "child_id")?, "child id")?;
    let la: LaCode = parse(&col::<String>(&case, "la")?, "LA code")?;
    sqlx::query(
        "insert into case_document (document_id, case_id, kind, filename, media_type, size, sha256, uploaded_by, \
         uploaded_by_label, uploaded_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(new.case.to_string())
    .bind(&new.kind)
    .bind(new.filename.trim())
    .bind(&new.media_type)
    .bind(size as i64)
    .bind(sha256)
    .bind(new.uploaded_by.map(|u| u.to_string()))
    .bind(actor.label.trim())
    .bind(now)
    .execute(&mut *tx)
    .await
    .map_err(db)?;
    let audit =
        Audit { action: AuditAction::Create, subject: "case_document", la: Some(la), child: Some(child), case: Some(new.case), actor };
    write_audit(&mut *tx, now, audit).await?;
    Ok(id)
}

/// A document's metadata by id, in the caller's transaction.
pub(crate) async fn load_document(conn: &mut SqliteConnection, actor: &Actor, id: Uuid) -> Result<DocumentRecord> {
    load(conn, actor, id).await
}

impl DocumentStore for SqliteStore {
    async fn add_document(&self, actor: &Actor, new: NewDocument, bytes: &[u8]) -> Result<DocumentRecord> {
        check_request(actor, None)?;
        // The file first: a row is committed only when its file is safely on disk.
        let sha256 = self.save_document_file(&new, bytes).await?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let id = insert_document(&mut tx, actor, &new, bytes.len(), &sha256, &now).await?;
        let record = load(&mut tx, actor, id).await?;
        tx.commit().await.map_err(db)?;
        Ok(record)
    }

    async fn case_documents(&self, actor: &Actor, case: CaseId) -> Result<Vec<DocumentRecord>> {
        check_request(actor, None)?;
        let mut tx = self.begin_read().await?;
        let owner = sqlx::query("select child_id, la from ehc_case where case_id = ?1 and (?2 is null or la = ?2)")
            .bind(case.to_string())
            .bind(scope_la(actor))
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?
            .ok_or_else(|| not_found("case", case))?;
        let child: ChildId = parse(&col::<String>(&owner, "child_id")?, "child id")?;
        let la: LaCode = parse(&col::<String>(&owner, "la")?, "LA code")?;
        let sql = format!(
            "select {COLUMNS} from case_document d join ehc_case c using (case_id) where d.case_id = ?1 \
             order by d.uploaded_at, d.document_id"
        );
        let rows = sqlx::query(&sql).bind(case.to_string()).fetch_all(&mut *tx).await.map_err(db)?;
        let records = rows.iter().map(record_from_row).collect::<Result<Vec<_>>>()?;
        let audit =
            Audit { action: AuditAction::Read, subject: "case_documents", la: Some(la), child: Some(child), case: Some(case), actor };
        let now = self.now();
        self.write_read_audit(&mut tx, &now, audit).await?;
        tx.commit().await.map_err(db)?;
        Ok(records)
    }

    async fn document(&self, actor: &Actor, id: Uuid) -> Result<DocumentRecord> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        load(&mut conn, actor, id).await
    }

    async fn read_document(&self, actor: &Actor, id: Uuid) -> Result<(DocumentRecord, Vec<u8>)> {
        check_request(actor, None)?;
        let mut conn = self.pool.acquire().await.map_err(db)?;
        let record = load(&mut conn, actor, id).await?;
        let path = self.document_path(&record.sha256)?;
        let bytes =
            tokio::fs::read(&path).await.map_err(|e| StoreError::Corrupt(format!("the file of document {id} cannot be read: {e}")))?;
        if sha256_hex(&bytes) != record.sha256 {
            return Err(StoreError::Corrupt(format!("the file of document {id} no longer matches its SHA-256")));
        }
        let audit = Audit {
            action: AuditAction::Read,
            subject: "case_document",
            la: Some(record.la),
            child: Some(record.child_id),
            case: Some(record.case_id),
            actor,
        };
        let now = self.now();
        self.write_read_audit(&mut conn, &now, audit).await?;
        Ok((record, bytes))
    }

    async fn remove_document(&self, actor: &Actor, id: Uuid, reason: &str) -> Result<DocumentRecord> {
        let reason = check_request(actor, Some(reason))?;
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let record = load(&mut tx, actor, id).await?;
        if record.removed.is_some() {
            return Err(StoreError::Invalid("this document has already been removed".into()));
        }
        sqlx::query("update case_document set removed_at = ?, removed_by_label = ?, removed_reason = ? where document_id = ?")
            .bind(&now)
            .bind(actor.label.trim())
            .bind(&reason)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let audit = Audit {
            action: AuditAction::Update,
            subject: "case_document",
            la: Some(record.la),
            child: Some(record.child_id),
            case: Some(record.case_id),
            actor,
        };
        write_audit(&mut tx, &now, audit).await?;
        let record = load(&mut tx, actor, id).await?;
        tx.commit().await.map_err(db)?;
        Ok(record)
    }
}
