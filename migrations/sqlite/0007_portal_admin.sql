-- The rest of the portal (issue 14): an organisation's website and deactivation, and a
-- membership that waits for the invited person's consent (`accepted_ms` NULL) until they
-- open the invitation link.
ALTER TABLE organisations ADD COLUMN website TEXT;
ALTER TABLE organisations ADD COLUMN deactivated_ms INTEGER;
ALTER TABLE memberships ADD COLUMN accepted_ms INTEGER;
UPDATE memberships SET accepted_ms = created_ms;
