-- An organisation's consent to publish its activities as open data (issue 17 item 4): the
-- OpenActive feed `/api/feeds/session-series` carries only the activities of organisations
-- whose admins agreed (`open_data_ms`, when they did; NULL: not agreed or withdrawn).
-- `feed_changed_ms` is when consent or activation last changed, so that every activity of
-- the organisation is sent again in the feed then (as updated, or as deleted).
ALTER TABLE organisations ADD COLUMN open_data_ms INTEGER;
ALTER TABLE organisations ADD COLUMN feed_changed_ms INTEGER NOT NULL DEFAULT 0;
