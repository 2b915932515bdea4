//! `waymark migrate`: a whole store copied from SQLite into PostgreSQL (issue 14 item 2, ADR 0037), all
//! or nothing, then verified.
//!
//! * The source is a store's two SQLite files (the main database and `-read-audit`), read inside one read
//!   transaction each, so the copy is one consistent state. Its schema must be current (`waymark init`
//!   upgrades an older one).
//! * The target is a PostgreSQL database whose schema is brought up to date first; it must hold no
//!   records (the two one-row counters the schema seeds are replaced).
//! * Every table's columns must match on both sides, name and kind, or nothing is copied: a SQLite
//!   migration without its PostgreSQL mirror is caught here, by name.
//! * Everything is written in one PostgreSQL transaction, by `COPY`: foreign keys are checked at commit
//!   (they are deferrable), the tables' own triggers are paused inside the transaction (the copy is not a
//!   change to count), and each identity sequence is moved past the largest id copied.
//! * Before committing, every table's row count and checksum are computed on the target, inside the same
//!   transaction, and compared with the source's: any difference, or any error, rolls everything back
//!   and the target is left as it was.
//!
//! The checksum ([`TableSum`]) is order-independent: the wrapping sum of each row's SHA-256 (its first 16
//! bytes) over a canonical encoding of its typed values, computed by the same code on both sides.

use crate::postgres::{pg, PostgresDatabase};
use crate::sqlite::{db, read_audit_path, MIGRATOR};
use crate::{Result, StoreError};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, PgConnection, Row};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

/// Bytes of COPY data sent to PostgreSQL at a time.
const COPY_CHUNK: usize = 1 << 20;
/// Tables the PostgreSQL schema seeds with one row (the caches' counters): replaced by the source's.
const SEEDED: [&str; 2] = ["data_generation", "lo_generation"];
/// The read-audit table's name in reports and on PostgreSQL (a schema of its own there).
const READ_AUDIT_TABLE: &str = "read_audit.audit_log";

/// The kind of a column's values: SQLite's strict types and their PostgreSQL counterparts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Integer,
    Real,
    Text,
}

impl Kind {
    fn from_sqlite(declared: &str) -> Option<Self> {
        match declared.to_ascii_lowercase().as_str() {
            "integer" => Some(Self::Integer),
            "real" => Some(Self::Real),
            "text" => Some(Self::Text),
            _ => None,
        }
    }
    fn from_postgres(data_type: &str) -> Option<Self> {
        match data_type {
            "bigint" => Some(Self::Integer),
            "double precision" => Some(Self::Real),
            "text" => Some(Self::Text),
            _ => None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Real => "real number",
            Self::Text => "text",
        }
    }
}

/// One table: its name in reports (`child`, `read_audit.audit_log`) and its columns.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
}

impl Table {
    fn column_list(&self) -> String {
        self.columns.iter().map(|(c, _)| quote(c)).collect::<Vec<_>>().join(", ")
    }
    /// The table as named on SQLite (the read-audit table is `audit_log` in its own file).
    fn sqlite_name(&self) -> &str {
        self.name.strip_prefix("read_audit.").unwrap_or(&self.name)
    }
    /// The table as named on PostgreSQL, quoted.
    fn postgres_name(&self) -> String {
        match self.name.split_once('.') {
            Some((schema, table)) => format!("{}.{}", quote(schema), quote(table)),
            None => quote(&self.name),
        }
    }
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

/// A table's row count and order-independent checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TableSum {
    pub rows: i64,
    /// The wrapping sum of every row's digest (the first 16 bytes of its SHA-256).
    pub checksum: u128,
}

impl fmt::Display for TableSum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} rows, checksum {:032x}", self.rows, self.checksum)
    }
}

/// One value of a row, as both backends hold it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

impl Value {
    /// The canonical encoding the checksum hashes: a tag, then the value's bytes (text with its length).
    fn digest_into(&self, h: &mut Sha256) {
        match self {
            Value::Null => h.update([0]),
            Value::Integer(i) => {
                h.update([1]);
                h.update(i.to_be_bytes());
            }
            Value::Real(r) => {
                h.update([2]);
                h.update(r.to_bits().to_be_bytes());
            }
            Value::Text(t) => {
                h.update([3]);
                h.update((t.len() as u64).to_be_bytes());
                h.update(t.as_bytes());
            }
        }
    }

    /// The value in COPY's text format.
    fn copy_into(&self, out: &mut Vec<u8>) {
        match self {
            Value::Null => out.extend_from_slice(b"\\N"),
            Value::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
            // Rust writes the shortest text that reads back as the same number; PostgreSQL reads it exactly.
            Value::Real(r) => out.extend_from_slice(r.to_string().as_bytes()),
            Value::Text(t) => {
                for b in t.bytes() {
                    match b {
                        b'\\' => out.extend_from_slice(b"\\\\"),
                        b'\t' => out.extend_from_slice(b"\\t"),
                        b'\n' => out.extend_from_slice(b"\\n"),
                        b'\r' => out.extend_from_slice(b"\\r"),
                        b => out.push(b),
                    }
                }
            }
        }
    }
}

fn read_value<'r, R: Row>(row: &'r R, i: usize, kind: Kind) -> std::result::Result<Value, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<f64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(match kind {
        Kind::Integer => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Integer),
        Kind::Real => row.try_get::<Option<f64>, _>(i)?.map_or(Value::Null, Value::Real),
        Kind::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
    })
}

fn row_digest(values: &[Value]) -> u128 {
    let mut h = Sha256::new();
    for v in values {
        v.digest_into(&mut h);
    }
    let d = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&d[..16]);
    u128::from_be_bytes(first)
}

/// What a migration copied and verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateReport {
    /// Every table, with its rows and checksum (the same on both sides).
    pub tables: BTreeMap<String, TableSum>,
    /// The target, password hidden.
    pub target: String,
}

impl MigrateReport {
    pub fn rows(&self) -> i64 {
        self.tables.values().map(|t| t.rows).sum()
    }
}

/// Open one SQLite file of a store read-only, checking it is a database.
async fn open_sqlite(path: &Path, what: &str) -> Result<SqliteConnection> {
    if !path.is_file() {
        return Err(StoreError::Invalid(format!("there is no {what} at {}", path.display())));
    }
    SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .log_statements(tracing::log::LevelFilter::Off)
        .connect()
        .await
        .map_err(|e| StoreError::Invalid(format!("{} cannot be opened as a SQLite database: {e}", path.display())))
}

/// The tables of one SQLite database, virtual tables (the Local Offer's full-text index, derived from
/// `lo_service`) and their shadow tables left out.
async fn sqlite_tables(conn: &mut SqliteConnection, path: &Path) -> Result<Vec<Table>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "select name, coalesce(sql, '') from sqlite_master where type = 'table' and name not like 'sqlite_%' \
         and name <> '_sqlx_migrations' order by name",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|_| StoreError::Invalid(format!("{} is not a SQLite database", path.display())))?;
    let virtual_tables: Vec<String> =
        rows.iter().filter(|(_, sql)| sql.to_ascii_lowercase().starts_with("create virtual table")).map(|(n, _)| n.clone()).collect();
    let mut tables = Vec::new();
    for (name, _) in rows {
        if virtual_tables.iter().any(|v| name == *v || name.starts_with(&format!("{v}_"))) {
            continue;
        }
        let info: Vec<(String, String)> =
            sqlx::query_as(&format!("select name, type from pragma_table_info('{}')", name.replace('\'', "''")))
                .fetch_all(&mut *conn)
                .await
                .map_err(db)?;
        let mut columns = Vec::new();
        for (column, declared) in info {
            let kind = Kind::from_sqlite(&declared).ok_or_else(|| {
                StoreError::Invalid(format!("the column {name}.{column} has the type '{declared}', which migrate cannot copy"))
            })?;
            columns.push((column, kind));
        }
        tables.push(Table { name, columns });
    }
    Ok(tables)
}

/// The tables of the PostgreSQL schema (`public`, and `read_audit` as `read_audit.*`).
async fn postgres_tables(conn: &mut PgConnection) -> Result<Vec<Table>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "select c.table_schema::text, c.table_name::text, c.column_name::text, c.data_type::text \
         from information_schema.columns c join information_schema.tables t \
           on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE' \
         where c.table_schema in ('public', 'read_audit') and c.table_name <> '_sqlx_migrations' \
         order by c.table_schema, c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(pg)?;
    let mut tables: Vec<Table> = Vec::new();
    for (schema, table, column, data_type) in rows {
        let name = if schema == "public" { table } else { format!("{schema}.{table}") };
        let kind = Kind::from_postgres(&data_type).ok_or_else(|| {
            StoreError::Invalid(format!("the column {name}.{column} has the type {data_type}, which migrate cannot copy"))
        })?;
        match tables.last_mut() {
            Some(t) if t.name == name => t.columns.push((column, kind)),
            _ => tables.push(Table { name, columns: vec![(column, kind)] }),
        }
    }
    tables.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(tables)
}

/// Every difference between the two schemas, named; empty when they match.
fn schema_differences(source: &[Table], target: &[Table]) -> Vec<String> {
    let mut out = Vec::new();
    let target_by_name: BTreeMap<&str, &Table> = target.iter().map(|t| (t.name.as_str(), t)).collect();
    for s in source {
        let Some(t) = target_by_name.get(s.name.as_str()) else {
            out.push(format!("the table {} is not in the PostgreSQL schema", s.name));
            continue;
        };
        let theirs: BTreeMap<&str, Kind> = t.columns.iter().map(|(c, k)| (c.as_str(), *k)).collect();
        let ours: BTreeMap<&str, Kind> = s.columns.iter().map(|(c, k)| (c.as_str(), *k)).collect();
        for (c, k) in &ours {
            match theirs.get(c) {
                None => out.push(format!("the column {}.{c} is not in the PostgreSQL schema", s.name)),
                Some(tk) if tk != k => {
                    out.push(format!("the column {}.{c} holds {} on SQLite but {} on PostgreSQL", s.name, k.name(), tk.name()))
                }
                Some(_) => {}
            }
        }
        for c in theirs.keys().filter(|c| !ours.contains_key(*c)) {
            out.push(format!("the column {}.{c} is on PostgreSQL but not in the SQLite store", s.name));
        }
    }
    let source_names: Vec<&str> = source.iter().map(|t| t.name.as_str()).collect();
    for t in target.iter().filter(|t| !source_names.contains(&t.name.as_str())) {
        out.push(format!("the table {} is on PostgreSQL but not in the SQLite store", t.name));
    }
    out
}

/// Count and checksum one SQLite table.
async fn sqlite_table_sum(conn: &mut SqliteConnection, table: &Table) -> Result<TableSum> {
    let sql = format!("select {} from {}", table.column_list(), quote(table.sqlite_name()));
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    let mut sum = TableSum::default();
    let mut values = Vec::with_capacity(table.columns.len());
    while let Some(row) = rows.try_next().await.map_err(db)? {
        values.clear();
        for (i, (_, kind)) in table.columns.iter().enumerate() {
            values.push(read_value(&row, i, *kind).map_err(db)?);
        }
        sum.rows += 1;
        sum.checksum = sum.checksum.wrapping_add(row_digest(&values));
    }
    Ok(sum)
}

/// Count and checksum one PostgreSQL table, its columns read in `table`'s order.
async fn postgres_table_sum(conn: &mut PgConnection, table: &Table) -> Result<TableSum> {
    let sql = format!("select {} from {}", table.column_list(), table.postgres_name());
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    let mut sum = TableSum::default();
    let mut values = Vec::with_capacity(table.columns.len());
    while let Some(row) = rows.try_next().await.map_err(pg)? {
        values.clear();
        for (i, (_, kind)) in table.columns.iter().enumerate() {
            values.push(read_value(&row, i, *kind).map_err(pg)?);
        }
        sum.rows += 1;
        sum.checksum = sum.checksum.wrapping_add(row_digest(&values));
    }
    Ok(sum)
}

/// The source store's two files, opened read-only, each inside a read transaction (one consistent
/// state), with their tables.
struct Source {
    main: SqliteConnection,
    reads: SqliteConnection,
    tables: Vec<Table>,
}

impl Source {
    async fn open(path: &Path) -> Result<Self> {
        let mut main = open_sqlite(path, "store").await?;
        let applied: Option<i64> = sqlx::query_scalar("select max(version) from _sqlx_migrations where success")
            .fetch_one(&mut main)
            .await
            .map_err(|_| StoreError::Invalid(format!("{} is not a Waymark store (it has no migration history)", path.display())))?;
        let current = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
        if applied.unwrap_or(0) < current {
            return Err(StoreError::Invalid(format!(
                "the store at {} was written by an older release: run `waymark init --db {}` to bring it up to date, then migrate",
                path.display(),
                path.display()
            )));
        }
        let reads_path = std::path::PathBuf::from(read_audit_path(path));
        let mut reads = open_sqlite(&reads_path, "read-audit database").await?;
        sqlx::query("begin").execute(&mut main).await.map_err(db)?;
        sqlx::query("begin").execute(&mut reads).await.map_err(db)?;
        let mut tables = sqlite_tables(&mut main, path).await?;
        let read_tables = sqlite_tables(&mut reads, &reads_path).await?;
        match read_tables.as_slice() {
            [t] if t.name == "audit_log" => tables.push(Table { name: READ_AUDIT_TABLE.into(), columns: t.columns.clone() }),
            _ => return Err(StoreError::Invalid(format!("{} is not a Waymark read-audit database", reads_path.display()))),
        }
        tables.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Self { main, reads, tables })
    }

    fn connection(&mut self, table: &Table) -> &mut SqliteConnection {
        if table.name == READ_AUDIT_TABLE {
            &mut self.reads
        } else {
            &mut self.main
        }
    }

    async fn sums(&mut self) -> Result<BTreeMap<String, TableSum>> {
        let mut out = BTreeMap::new();
        for table in self.tables.clone() {
            let sum = sqlite_table_sum(self.connection(&table), &table).await?;
            out.insert(table.name.clone(), sum);
        }
        Ok(out)
    }

    async fn close(mut self) {
        let _ = sqlx::query("rollback").execute(&mut self.main).await;
        let _ = sqlx::query("rollback").execute(&mut self.reads).await;
        let _ = self.main.close().await;
        let _ = self.reads.close().await;
    }
}

/// Row counts and checksums of every table of the SQLite store at `path` (and its read-audit database).
pub async fn sqlite_checksums(path: &Path) -> Result<BTreeMap<String, TableSum>> {
    let mut source = Source::open(path).await?;
    let sums = source.sums().await;
    source.close().await;
    sums
}

/// Row counts and checksums of every table of the PostgreSQL database at `url`.
pub async fn postgres_checksums(url: &str) -> Result<BTreeMap<String, TableSum>> {
    let mut conn = crate::postgres::connect(url).await?;
    let mut tx = conn.begin().await.map_err(pg)?;
    sqlx::query("set transaction isolation level repeatable read, read only").execute(&mut *tx).await.map_err(pg)?;
    let out = checksums_in(&mut tx).await?;
    tx.rollback().await.map_err(pg)?;
    Ok(out)
}

/// Row counts and checksums of every table, as the connection's transaction sees them.
pub(crate) async fn checksums_in(conn: &mut PgConnection) -> Result<BTreeMap<String, TableSum>> {
    let mut out = BTreeMap::new();
    for table in postgres_tables(&mut *conn).await? {
        out.insert(table.name.clone(), postgres_table_sum(&mut *conn, &table).await?);
    }
    Ok(out)
}

/// Tables of the PostgreSQL database that already hold records (the seeded counters aside).
pub(crate) async fn postgres_tables_with_records(conn: &mut PgConnection) -> Result<Vec<String>> {
    let tables = postgres_tables(&mut *conn).await?;
    tables_with_records(conn, &tables).await
}

async fn tables_with_records(conn: &mut PgConnection, tables: &[Table]) -> Result<Vec<String>> {
    let mut held = Vec::new();
    for t in tables.iter().filter(|t| !SEEDED.contains(&t.name.as_str())) {
        let any: bool =
            sqlx::query_scalar(&format!("select exists (select 1 from {})", t.postgres_name())).fetch_one(&mut *conn).await.map_err(pg)?;
        if any {
            held.push(t.name.clone());
        }
    }
    Ok(held)
}

/// Copy the whole SQLite store at `from` (with its read-audit database) into the PostgreSQL database at
/// `to`, all or nothing, and verify every table's rows and checksum before committing.
pub async fn migrate_sqlite_to_postgres(from: &Path, to: &str) -> Result<MigrateReport> {
    let mut source = Source::open(from).await?;
    let result = copy(&mut source, to).await;
    source.close().await;
    result
}

async fn copy(source: &mut Source, to: &str) -> Result<MigrateReport> {
    let target = PostgresDatabase::open(to).await?;
    let mut conn = target.pool().acquire().await.map_err(pg)?;
    let target_tables = postgres_tables(&mut conn).await?;
    let differences = schema_differences(&source.tables, &target_tables);
    if !differences.is_empty() {
        return Err(StoreError::Invalid(format!(
            "the SQLite store and the PostgreSQL schema differ, so nothing was copied: {}",
            differences.join("; ")
        )));
    }
    let mut tx = conn.begin().await.map_err(pg)?;
    let held = tables_with_records(&mut tx, &target_tables).await?;
    if !held.is_empty() {
        return Err(StoreError::Invalid(format!(
            "{} already holds records (in {}): migrate into an empty database, so that nothing is mixed or overwritten",
            target.display_url(),
            held.join(", ")
        )));
    }
    sqlx::query("set constraints all deferred").execute(&mut *tx).await.map_err(pg)?;
    let tables = source.tables.clone();
    for t in &tables {
        sqlx::query(&format!("alter table {} disable trigger user", t.postgres_name())).execute(&mut *tx).await.map_err(pg)?;
    }
    for name in SEEDED {
        sqlx::query(&format!("delete from {}", quote(name))).execute(&mut *tx).await.map_err(pg)?;
    }
    for t in &tables {
        copy_table(source, &mut tx, t).await.map_err(|e| match e {
            StoreError::Database(m) => StoreError::Database(format!("copying {}: {m}; nothing was copied", t.name)),
            e => e,
        })?;
    }
    // Identity columns carry on after the largest id copied.
    let identities: Vec<(String, String, String)> = sqlx::query_as(
        "select table_schema::text, table_name::text, column_name::text from information_schema.columns \
         where is_identity = 'YES' and table_schema in ('public', 'read_audit')",
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(pg)?;
    for (schema, table, column) in identities {
        let qualified = format!("{}.{}", quote(&schema), quote(&table));
        sqlx::query(&format!(
            "select setval(pg_get_serial_sequence($1, $2), coalesce((select max({c}) from {qualified}), 0) + 1, false)",
            c = quote(&column)
        ))
        .bind(&qualified)
        .bind(&column)
        .execute(&mut *tx)
        .await
        .map_err(pg)?;
    }
    // The deferred reference checks run now (a table cannot be altered while they are pending).
    sqlx::query("set constraints all immediate").execute(&mut *tx).await.map_err(|e| {
        StoreError::Database(format!("the copy holds a reference to a record that does not exist ({}); nothing was copied", pg(e)))
    })?;
    for t in &tables {
        sqlx::query(&format!("alter table {} enable trigger user", t.postgres_name())).execute(&mut *tx).await.map_err(pg)?;
    }
    // Verified inside the transaction: a difference leaves the target as it was.
    let expected = source.sums().await?;
    let mut copied = BTreeMap::new();
    for t in &tables {
        copied.insert(t.name.clone(), postgres_table_sum(&mut tx, t).await?);
    }
    let differing: Vec<String> = expected
        .iter()
        .filter(|(name, sum)| copied.get(*name) != Some(*sum))
        .map(|(name, sum)| format!("{name} (SQLite: {sum}; PostgreSQL: {})", copied.get(name).copied().unwrap_or_default()))
        .collect();
    if !differing.is_empty() {
        return Err(StoreError::Corrupt(format!("the copy differs from the store in {}; nothing was copied", differing.join(", "))));
    }
    tx.commit().await.map_err(|e| StoreError::Database(format!("the copy could not be committed ({}); nothing was copied", pg(e))))?;
    let target_url = target.display_url();
    drop(conn);
    target.close().await;
    tracing::info!(rows = expected.values().map(|s| s.rows).sum::<i64>(), "store migrated to PostgreSQL");
    Ok(MigrateReport { tables: expected, target: target_url })
}

/// One table's rows streamed from SQLite into PostgreSQL's COPY.
async fn copy_table(source: &mut Source, tx: &mut PgConnection, table: &Table) -> Result<()> {
    let mut copy_in = tx.copy_in_raw(&format!("copy {} ({}) from stdin", table.postgres_name(), table.column_list())).await.map_err(pg)?;
    let sql = format!("select {} from {}", table.column_list(), quote(table.sqlite_name()));
    let conn = source.connection(table);
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    let mut buffer = Vec::with_capacity(COPY_CHUNK + 4096);
    let sent: Result<()> = async {
        while let Some(row) = rows.try_next().await.map_err(db)? {
            for (i, (_, kind)) in table.columns.iter().enumerate() {
                if i > 0 {
                    buffer.push(b'\t');
                }
                read_value(&row, i, *kind).map_err(db)?.copy_into(&mut buffer);
            }
            buffer.push(b'\n');
            if buffer.len() >= COPY_CHUNK {
                copy_in.send(std::mem::take(&mut buffer)).await.map_err(pg)?;
                buffer.reserve(COPY_CHUNK + 4096);
            }
        }
        if !buffer.is_empty() {
            copy_in.send(buffer).await.map_err(pg)?;
        }
        Ok(())
    }
    .await;
    match sent {
        Ok(()) => {
            copy_in.finish().await.map_err(pg)?;
            Ok(())
        }
        Err(e) => {
            let _ = copy_in.abort("the source could not be read").await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checksum_does_not_depend_on_row_order_but_on_every_value() {
        let a = [Value::Text("a".into()), Value::Integer(1), Value::Null];
        let b = [Value::Text("b".into()), Value::Real(0.5), Value::Integer(2)];
        let one = row_digest(&a).wrapping_add(row_digest(&b));
        let other = row_digest(&b).wrapping_add(row_digest(&a));
        assert_eq!(one, other);
        // A null is not an empty text, nor 0; "ab" + "" is not "a" + "b".
        assert_ne!(row_digest(&[Value::Null]), row_digest(&[Value::Text(String::new())]));
        assert_ne!(row_digest(&[Value::Null]), row_digest(&[Value::Integer(0)]));
        assert_ne!(
            row_digest(&[Value::Text("ab".into()), Value::Text(String::new())]),
            row_digest(&[Value::Text("a".into()), Value::Text("b".into())])
        );
    }

    #[test]
    fn copy_text_escapes_what_copy_would_misread() {
        let mut out = Vec::new();
        Value::Text("tab\there\nline\\slash\r".into()).copy_into(&mut out);
        assert_eq!(out, b"tab\\there\\nline\\\\slash\\r");
        let mut out = Vec::new();
        Value::Null.copy_into(&mut out);
        assert_eq!(out, b"\\N");
        let mut out = Vec::new();
        Value::Real(0.1 + 0.2).copy_into(&mut out);
        assert_eq!(String::from_utf8(out).unwrap().parse::<f64>().unwrap(), 0.1 + 0.2);
    }

    #[test]
    fn a_table_missing_from_the_postgresql_schema_is_named() {
        let child = Table { name: "child".into(), columns: vec![("child_id".into(), Kind::Text)] };
        let newer = Table { name: "waiting_list".into(), columns: vec![("id".into(), Kind::Integer)] };
        let differences = schema_differences(&[child.clone(), newer], std::slice::from_ref(&child));
        assert_eq!(differences, ["the table waiting_list is not in the PostgreSQL schema"]);
        let retyped = Table { name: "child".into(), columns: vec![("child_id".into(), Kind::Integer)] };
        assert_eq!(schema_differences(&[child], &[retyped]), ["the column child.child_id holds text on SQLite but integer on PostgreSQL"]);
    }
}
