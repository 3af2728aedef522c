-- 0016_api_keys_created_by: who made each API key, shown by the back
-- office's « Clés d'API » (issue 16, part 4).
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

-- Keys made before this release came from the command line, the only
-- way then: they say so (the label of ports' cliActor). The constant
-- default fills them without rewriting the table; new keys always name
-- their maker, so the default goes.
ALTER TABLE api_keys ADD COLUMN created_by text NOT NULL DEFAULT 'Ligne de commande';
ALTER TABLE api_keys ALTER COLUMN created_by DROP DEFAULT;
