-- Each report belongs to one platform: the address it was written for or imported from. A
-- report is only ever sent to, and shown alongside, that platform, so a new address whose
-- user ids happen to match the old one's never receives (or shows) the old platform's reports.
ALTER TABLE reports ADD COLUMN platform_url TEXT;

-- Reports from before this column belong to the platform of the person known then. Without a
-- profile they stay NULL and are claimed at the next sign-in (see Store::save_profile).
UPDATE reports SET platform_url = (SELECT platform_url FROM profile WHERE id = 1);

CREATE INDEX reports_by_owner ON reports (platform_url, owner_user_id);
