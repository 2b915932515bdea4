//! Identity across agencies against the store: the scan that finds records which may be one child
//! (merging those that share an identifier, queueing the rest for a person), and a person's decision
//! on a queue entry (docs/identity.md, ADR 0012).
//!
//! The matcher's rules (blocking, scoring, the deterministic rules) are the domain's
//! ([`waymark_domain::identity`]); what to do with each pair is decided here; the store only reads
//! candidates and records merges, queue entries and decisions, through [`IdentityWrite`], in one
//! transaction. Logs carry ids and counts only.

use serde::Serialize;
use std::collections::HashMap;
use waymark_domain::facts::PersonKeys;
use waymark_domain::identity::{self, Comparison, Decision, Thresholds, MAX_BLOCK};
use waymark_domain::ids::ChildId;
use waymark_storage::{Actor, AuditAction, IdentityStore, IdentityWrite, Result, ReviewDecision, ReviewEntry, ReviewStatus, StoreError};

/// What [`scan`] found and did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ScanReport {
    /// Live (not merged) children when the scan began.
    pub children: u64,
    /// Pairs compared after blocking (over every pass: after merging, the children left are
    /// compared again).
    pub compared: u64,
    /// Pairs sharing an identifier that were merged (deterministic rules; `auto_merge`).
    pub merged: u64,
    /// The merges made, to undo with `unmerge`.
    pub merges: Vec<i64>,
    /// Newly queued pairs in the match band (score at or above the upper threshold, or a shared
    /// identifier a person has already undone a merge of).
    pub queued_match: u64,
    /// Newly queued pairs in the review band.
    pub queued_review: u64,
    /// Pairs found that were already on the queue or already decided: left as they were.
    pub already_known: u64,
    /// Nothing was written (a dry run: the counts are what a real scan would do now).
    pub dry_run: bool,
}

/// How [`scan`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanOptions {
    /// Count, write nothing.
    pub dry_run: bool,
    /// Merge pairs that share an identifier (the deterministic rules), as docs/identity.md allows;
    /// when false they are queued for a person like every other pair.
    pub merge_shared_identifiers: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self { dry_run: false, merge_shared_identifiers: true }
    }
}

/// Run the matcher over the live children in the actor's scope, LA by LA: merge pairs that share an
/// identifier (unless a person has decided about the pair before, or `options` says not to), then
/// queue every scored match and review-band pair not already queued or decided. One transaction;
/// audited (a read of the children of each LA, each merge, each pair queued). A dry run counts the
/// same and writes nothing.
pub async fn scan<S: IdentityStore>(store: &S, actor: &Actor, options: ScanOptions) -> Result<ScanReport> {
    let mut work = store.begin_identity_work(actor, None).await?;
    let started = std::time::Instant::now();
    let report = scan_in(&mut work, options).await?;
    if options.dry_run {
        work.rollback().await?;
    } else {
        work.commit().await?;
    }
    tracing::info!(
        children = report.children,
        compared = report.compared,
        merged = report.merged,
        queued_match = report.queued_match,
        queued_review = report.queued_review,
        already_known = report.already_known,
        dry_run = options.dry_run,
        ms = started.elapsed().as_millis() as u64,
        "identity scan"
    );
    Ok(report)
}

/// Reason recorded for a merge a scan makes on a shared identifier: the rule, never the value.
fn scan_reason(comparison: &Comparison) -> String {
    let rule = comparison.rule.map_or("shared identifier", |r| r.as_str());
    format!("identity scan: deterministic rule {rule} (docs/identity.md section 1)")
}

async fn scan_in(work: &mut impl IdentityWrite, options: ScanOptions) -> Result<ScanReport> {
    let mut report = ScanReport { dry_run: options.dry_run, ..ScanReport::default() };
    for la in work.las_in_scope().await? {
        // Deterministic merges first, then score again over the children left, until no shared
        // identifier remains to merge (each pass merges at least one child, so this ends).
        let mut queue: Vec<(ChildId, ChildId, Comparison)>;
        let mut children = None;
        loop {
            let candidates = work.live_children(la).await?;
            children.get_or_insert(candidates.len() as u64);
            let keys: Vec<PersonKeys> = candidates.iter().map(|c| c.keys.clone()).collect();
            let pairs = identity::candidate_pairs(&keys, MAX_BLOCK);
            report.compared += pairs.len() as u64;
            queue = Vec::new();
            let mut merged_now: HashMap<ChildId, ChildId> = HashMap::new();
            for (i, j) in pairs {
                let comparison = identity::compare_with(&keys[i], &keys[j], Thresholds::default());
                if comparison.decision == Decision::NonMatch {
                    continue;
                }
                let (a, b) = (candidates[i].id, candidates[j].id);
                if !(options.merge_shared_identifiers && comparison.auto_merge()) {
                    queue.push((a, b, comparison));
                    continue;
                }
                let (a, b) = (*merged_now.get(&a).unwrap_or(&a), *merged_now.get(&b).unwrap_or(&b));
                if a == b {
                    continue;
                }
                if work.pair_known(a, b).await? {
                    // A person has decided about this pair (or undone its merge): ask again only
                    // through the queue, never merge.
                    queue.push((a, b, comparison));
                    continue;
                }
                let keep = work.created_first(a, b).await?;
                let absorb = if keep == a { b } else { a };
                let reason = scan_reason(&comparison);
                let merge = work.merge(keep, absorb, &reason).await?;
                // The pair is recorded as decided by the scan, so an unmerge puts it on the queue.
                if let Some(id) = work.queue_pair(la, keep, absorb, &comparison).await? {
                    work.settle_review(id, ReviewStatus::Merged, Some(merge.id), &reason).await?;
                }
                for v in merged_now.values_mut() {
                    if *v == absorb {
                        *v = keep;
                    }
                }
                merged_now.insert(absorb, keep);
                report.merged += 1;
                report.merges.push(merge.id);
            }
            if merged_now.is_empty() {
                break;
            }
        }
        report.children += children.unwrap_or(0);
        for (a, b, comparison) in &queue {
            match work.queue_pair(la, *a, *b, comparison).await? {
                Some(_) if comparison.decision == Decision::Match => report.queued_match += 1,
                Some(_) => report.queued_review += 1,
                None => report.already_known += 1,
            }
        }
        work.audit(AuditAction::Read, "identity_scan", Some(la), None).await?;
    }
    Ok(report)
}

/// Decide an open queue entry: merge (by default the record created later into the one created
/// first; or keeping the child named) or reject (different children: never queued again). Either
/// child may have been merged into another record since the pair was queued: the decision is about
/// the records they now live in. One transaction; audited. Returns the entry as decided.
pub async fn decide_review<S: IdentityStore>(
    store: &S,
    actor: &Actor,
    review: i64,
    decision: ReviewDecision,
    reason: &str,
) -> Result<ReviewEntry> {
    let mut work = store.begin_identity_work(actor, Some(reason)).await?;
    let entry = work.review(review).await?;
    if entry.status != ReviewStatus::Open {
        return Err(StoreError::Invalid(format!("review {review} is already {}", entry.status.as_str())));
    }
    let a = entry.a_now.unwrap_or(entry.child_a);
    let b = entry.b_now.unwrap_or(entry.child_b);
    let (status, merge_id) = match decision {
        ReviewDecision::Merge | ReviewDecision::MergeKeeping(_) => {
            if a == b {
                return Err(StoreError::Invalid(format!(
                    "review {review}: children {} and {} are already one record ({a}); decide it --different or leave it",
                    entry.child_a, entry.child_b
                )));
            }
            let keep = match decision {
                ReviewDecision::MergeKeeping(keep) if keep == entry.child_a || keep == a => a,
                ReviewDecision::MergeKeeping(keep) if keep == entry.child_b || keep == b => b,
                ReviewDecision::MergeKeeping(keep) => {
                    return Err(StoreError::Invalid(format!("review {review} is about children {a} and {b}, not {keep}")))
                }
                _ => work.created_first(a, b).await?,
            };
            let absorb = if keep == a { b } else { a };
            let merge = work.merge(keep, absorb, reason).await?;
            (ReviewStatus::Merged, Some(merge.id))
        }
        ReviewDecision::Reject => (ReviewStatus::Rejected, None),
    };
    work.settle_review(review, status, merge_id, reason).await?;
    work.audit(AuditAction::Update, "identity_review", Some(entry.la), Some(entry.child_a)).await?;
    let decided = work.review(review).await?;
    work.commit().await?;
    tracing::info!(review, decision = status.as_str(), "identity review decided");
    Ok(decided)
}
