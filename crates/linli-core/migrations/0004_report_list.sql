-- The person's list of reports (Request::MyReports) is kept in memory by the store and read
-- from one index (src/store/list.rs). For that, every change to what a list row shows must be
-- a write to the report's own row, and the list's columns must sit together in one index.

-- The state of the report's own outbox row ('queued', 'sending', 'delivered', 'rejected'), or
-- NULL while it has none (a draft). The outbox stays the truth: the triggers below copy its
-- state here in the same statement that changes it, whatever code path writes it.
ALTER TABLE reports ADD COLUMN outbox_state TEXT;

-- Counts changes to what a list row shows that live in other tables (the outbox details of a
-- report on its way, its photos, its actions), so that each is also a write to the report's
-- row, which the store's list sees. The number itself means nothing.
ALTER TABLE reports ADD COLUMN list_changes INTEGER NOT NULL DEFAULT 0;

UPDATE reports SET outbox_state =
    (SELECT o.state FROM outbox o WHERE o.kind = 'report' AND o.record_id = reports.id);

CREATE TRIGGER report_outbox_inserted AFTER INSERT ON outbox WHEN NEW.kind = 'report'
BEGIN
    UPDATE reports SET outbox_state = NEW.state WHERE id = NEW.record_id;
END;

CREATE TRIGGER report_outbox_moved AFTER UPDATE OF state ON outbox
    WHEN NEW.kind = 'report' AND NEW.state IS NOT OLD.state
BEGIN
    UPDATE reports SET outbox_state = NEW.state WHERE id = NEW.record_id;
END;

-- Attempts, the next try, the last error, bytes sent: not in the index, so only counted.
CREATE TRIGGER report_outbox_details AFTER UPDATE ON outbox
    WHEN NEW.kind = 'report' AND NEW.state IS OLD.state
BEGIN
    UPDATE reports SET list_changes = list_changes + 1 WHERE id = NEW.record_id;
END;

CREATE TRIGGER report_outbox_deleted AFTER DELETE ON outbox WHEN OLD.kind = 'report'
BEGIN
    UPDATE reports SET outbox_state = NULL WHERE id = OLD.record_id;
END;

-- A report row written after its outbox row (no code does so today) still gets its state.
CREATE TRIGGER report_inserted AFTER INSERT ON reports
    WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'report' AND o.record_id = NEW.id)
BEGIN
    UPDATE reports SET outbox_state =
        (SELECT o.state FROM outbox o WHERE o.kind = 'report' AND o.record_id = NEW.id)
    WHERE id = NEW.id;
END;

-- An action's outbox row moving (queued, sending, refused) changes its report's counts; its
-- row coming and going comes with the action's own, below.
CREATE TRIGGER action_outbox_moved AFTER UPDATE OF state ON outbox
    WHEN NEW.kind = 'action' AND NEW.state IS NOT OLD.state
BEGIN
    UPDATE reports SET list_changes = list_changes + 1
    WHERE id = (SELECT a.report_id FROM actions a WHERE a.id = NEW.record_id);
END;

CREATE TRIGGER action_added AFTER INSERT ON actions
BEGIN
    UPDATE reports SET list_changes = list_changes + 1 WHERE id = NEW.report_id;
END;

CREATE TRIGGER action_removed AFTER DELETE ON actions
BEGIN
    UPDATE reports SET list_changes = list_changes + 1 WHERE id = OLD.report_id;
END;

CREATE TRIGGER report_photo_added AFTER INSERT ON photos WHEN NEW.comment_id IS NULL
BEGIN
    UPDATE reports SET list_changes = list_changes + 1 WHERE id = NEW.report_id;
END;

CREATE TRIGGER report_photo_removed AFTER DELETE ON photos WHEN OLD.comment_id IS NULL
BEGIN
    UPDATE reports SET list_changes = list_changes + 1 WHERE id = OLD.report_id;
END;

-- Whose reports, with every column a list row reads, so reading the whole list is one walk
-- along this index. Ascending, a new report's entry goes at the end, which keeps the pages
-- full. It starts with the columns of reports_by_owner, which it replaces.
CREATE INDEX reports_listed ON reports (
    platform_url, owner_user_id, created_at, id,
    relation, category, status, number, outbox_state, description
);
DROP INDEX reports_by_owner;

-- The list counts each report's own photos (not its comments') from this index alone.
CREATE INDEX photos_of_reports ON photos (report_id) WHERE comment_id IS NULL;
