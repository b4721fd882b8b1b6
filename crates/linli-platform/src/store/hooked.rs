//! A store that runs a hook before some calls and otherwise is the SQLite store, so tests can
//! force the interleavings that races produce only sometimes.

use super::*;

type Hook = Box<dyn Fn() + Send + Sync>;

/// [`SqliteStore`] in memory with hooks.
pub(crate) struct Hooked {
    pub inner: SqliteStore,
    /// Runs after `latest_code` has read, before it answers.
    pub after_latest_code: Option<Hook>,
    /// Runs before `release_key` writes.
    pub before_release_key: Option<Hook>,
}

impl Hooked {
    /// The seeded demo community, no hooks.
    pub fn seeded() -> Self {
        let inner = SqliteStore::open_in_memory().unwrap();
        inner.seed_if_empty(&crate::demo::seed()).unwrap();
        Self {
            inner,
            after_latest_code: None,
            before_release_key: None,
        }
    }
}

fn run(hook: &Option<Hook>) {
    if let Some(hook) = hook {
        hook();
    }
}

impl Store for Hooked {
    fn seed_if_empty(&self, seed: &Seed) -> StoreResult<bool> {
        self.inner.seed_if_empty(seed)
    }
    fn user_by_phone(&self, phone: &str) -> StoreResult<Option<User>> {
        self.inner.user_by_phone(phone)
    }
    fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.inner.user(id)
    }
    fn estate(&self, id: EstateId) -> StoreResult<Option<Estate>> {
        self.inner.estate(id)
    }
    fn units_of(&self, user: UserId) -> StoreResult<Vec<UnitRef>> {
        self.inner.units_of(user)
    }
    fn buildings(&self, estate: EstateId) -> StoreResult<Vec<BuildingRef>> {
        self.inner.buildings(estate)
    }
    fn common_areas(&self, estate: EstateId) -> StoreResult<Vec<CommonAreaRef>> {
        self.inner.common_areas(estate)
    }
    fn categories(&self) -> StoreResult<Vec<Category>> {
        self.inner.categories()
    }
    fn issue_code(
        &self,
        code: &NewCode,
        window_start: OffsetDateTime,
        admit: &dyn Fn(&CodeHistory) -> Result<(), RetryAfter>,
    ) -> StoreResult<Result<i64, RetryAfter>> {
        self.inner.issue_code(code, window_start, admit)
    }
    fn withdraw_code(&self, id: i64) -> StoreResult<()> {
        self.inner.withdraw_code(id)
    }
    fn latest_code(&self, phone: &str) -> StoreResult<Option<StoredCode>> {
        let code = self.inner.latest_code(phone);
        run(&self.after_latest_code);
        code
    }
    fn count_attempt(
        &self,
        id: i64,
        max_attempts: u32,
        now: OffsetDateTime,
    ) -> StoreResult<CodeAttempt> {
        self.inner.count_attempt(id, max_attempts, now)
    }
    fn admit_client(
        &self,
        action: ClientAction,
        client: &str,
        now: OffsetDateTime,
        window_start: OffsetDateTime,
        admit: &dyn Fn(&[OffsetDateTime]) -> Result<(), RetryAfter>,
    ) -> StoreResult<Result<(), RetryAfter>> {
        self.inner
            .admit_client(action, client, now, window_start, admit)
    }
    fn use_code(&self, id: i64, at: OffsetDateTime) -> StoreResult<bool> {
        self.inner.use_code(id, at)
    }
    fn create_session(
        &self,
        token_hash: &[u8],
        user: UserId,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> StoreResult<()> {
        self.inner
            .create_session(token_hash, user, created_at, expires_at)
    }
    fn session(&self, token_hash: &[u8]) -> StoreResult<Option<StoredSession>> {
        self.inner.session(token_hash)
    }
    fn session_holder(&self, token_hash: &[u8]) -> StoreResult<Option<SessionHolder>> {
        self.inner.session_holder(token_hash)
    }
    fn revoke_session(&self, token_hash: &[u8], at: OffsetDateTime) -> StoreResult<()> {
        self.inner.revoke_session(token_hash, at)
    }
    fn photo(&self, id: PhotoId) -> StoreResult<Option<StoredPhoto>> {
        self.inner.photo(id)
    }
    fn claim_photo(&self, photo: &StoredPhoto, at: OffsetDateTime) -> StoreResult<PhotoClaim> {
        self.inner.claim_photo(photo, at)
    }
    fn insert_report(
        &self,
        report: &NewReportRecord,
        keyed: Option<&KeyedAnswer<'_>>,
    ) -> StoreResult<ReportInsert> {
        self.inner.insert_report(report, keyed)
    }
    fn report(&self, id: ReportId) -> StoreResult<Option<StoredReport>> {
        self.inner.report(id)
    }
    fn timeline(&self, id: ReportId) -> StoreResult<Vec<TimelineEntry>> {
        self.inner.timeline(id)
    }
    fn reports(&self, scope: Visibility) -> StoreResult<Vec<Report>> {
        self.inner.reports(scope)
    }
    fn move_report(&self, id: ReportId, change: &StatusMove) -> StoreResult<Option<(Report, i64)>> {
        self.inner.move_report(id, change)
    }
    fn events_after(
        &self,
        after: i64,
        scope: Visibility,
        limit: usize,
    ) -> StoreResult<Vec<ReportEvent>> {
        self.inner.events_after(after, scope, limit)
    }
    fn latest_event_seq(&self) -> StoreResult<i64> {
        self.inner.latest_event_seq()
    }
    fn claim_key(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        now: OffsetDateTime,
        stale_before: OffsetDateTime,
    ) -> StoreResult<KeyClaim> {
        self.inner
            .claim_key(scope, key, fingerprint, now, stale_before)
    }
    fn key_taken(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &[u8],
        stale_before: OffsetDateTime,
    ) -> StoreResult<Option<KeyClaim>> {
        self.inner.key_taken(scope, key, fingerprint, stale_before)
    }
    fn complete_key(&self, scope: &str, key: &str, response: &StoredResponse) -> StoreResult<()> {
        self.inner.complete_key(scope, key, response)
    }
    fn release_key(&self, scope: &str, key: &str) -> StoreResult<()> {
        run(&self.before_release_key);
        self.inner.release_key(scope, key)
    }
    fn release_unanswered_keys(&self) -> StoreResult<usize> {
        self.inner.release_unanswered_keys()
    }
    fn unit(&self, id: UnitId) -> StoreResult<Option<UnitRef>> {
        self.inner.unit(id)
    }
    fn insert_comment(&self, comment: &NewCommentRecord) -> StoreResult<CommentInsert> {
        self.inner.insert_comment(comment)
    }
    fn comments(&self, report: ReportId) -> StoreResult<Vec<StoredComment>> {
        self.inner.comments(report)
    }
    fn follow(
        &self,
        report: ReportId,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<Option<i64>> {
        self.inner.follow(report, user, at)
    }
    fn unfollow(
        &self,
        report: ReportId,
        user: UserId,
        at: OffsetDateTime,
    ) -> StoreResult<Option<i64>> {
        self.inner.unfollow(report, user, at)
    }
    fn followed_reports(&self, user: UserId) -> StoreResult<Vec<ReportId>> {
        self.inner.followed_reports(user)
    }
    fn similar_reports(&self, scope: &SimilarScope) -> StoreResult<Vec<StoredReport>> {
        self.inner.similar_reports(scope)
    }
    fn apply_step(&self, id: ReportId, step: &ReportStep) -> StoreResult<StepOutcome> {
        self.inner.apply_step(id, step)
    }
    fn resolved_before(&self, cutoff: OffsetDateTime) -> StoreResult<Vec<StoredReport>> {
        self.inner.resolved_before(cutoff)
    }
    fn service_targets(&self) -> StoreResult<Vec<TargetRow>> {
        self.inner.service_targets()
    }
    fn estate_history(
        &self,
        estate: EstateId,
        before: OffsetDateTime,
    ) -> StoreResult<Vec<ReportHistory>> {
        self.inner.estate_history(estate, before)
    }
}
