-- An organisation's consent to publish its activities as open data (issue 17 item 4): the
-- OpenActive feed `/api/feeds/session-series` carries only the activities of organisations
-- whose admins agreed (`open_data_ms`, when they did; NULL: not agreed or withdrawn).
ALTER TABLE organisations ADD COLUMN open_data_ms BIGINT;
-- The feed is ordered by each item's last change in the audit log, read on every reload.
CREATE INDEX audit_log_item ON audit_log (collection, item_id);
