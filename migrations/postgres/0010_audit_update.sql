-- A PATCH is logged as `update`, a PUT as `replace` (issue 21).
ALTER TABLE audit_log DROP CONSTRAINT audit_log_action_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_action_check
    CHECK (action IN ('create', 'replace', 'update', 'delete'));
