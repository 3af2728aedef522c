-- 0008_staff_admin: billing services manage their own staff. A third
-- role, "administrateur", adds, disables and resets the biller's staff
-- from the back office; staff get invitation and forgotten-password
-- links like citizens.
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- The new set contains the old one, and the staff table is small: the
-- constraint is checked at once.
ALTER TABLE staff
	DROP CONSTRAINT staff_role_check,
	ADD CONSTRAINT staff_role_check CHECK (role IN ('administrateur', 'gestionnaire', 'lecture'));

-- Staff members' single-use links (domain.Token of a staff purpose).
-- Only the hash of a secret is kept. Apart from citizens' tokens, whose
-- account_id references accounts.
CREATE TABLE staff_tokens (
	hash       text PRIMARY KEY, -- hex SHA-256 of the link's secret
	staff_id   uuid NOT NULL REFERENCES staff,
	purpose    text NOT NULL CHECK (purpose IN ('staff_invite', 'staff_reset')),
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz,
	revoked_at timestamptz
);
-- OpenStaffTokens.
CREATE INDEX staff_tokens_open_idx ON staff_tokens (staff_id, purpose) WHERE used_at IS NULL AND revoked_at IS NULL;
