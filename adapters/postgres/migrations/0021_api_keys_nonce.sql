-- 0021_api_keys_nonce: the back office's key creation form posted twice
-- (its answer, the page of the secret, reloaded) makes one key only
-- (follow-up of issue 16, part 4).
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- The hash of the one-time nonce of the form that made the key
-- (domain.APIKey.NonceHash); NULL for the command line's keys. One key per
-- biller and nonce: a second post finds the first key (APIKeyByNonce), and
-- two posts at once cannot both insert.
ALTER TABLE api_keys ADD COLUMN nonce_hash text;
CREATE UNIQUE INDEX api_keys_nonce_key ON api_keys (biller_id, nonce_hash) WHERE nonce_hash IS NOT NULL;
