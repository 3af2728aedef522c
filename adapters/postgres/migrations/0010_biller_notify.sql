-- 0010_biller_notify: every change of a biller, its settings or its host
-- names, is told on the channel portal_billers with the biller's id, so
-- that each portal instance drops the biller it keeps in memory (issue
-- #14: a settings change is seen on every instance within a second). A
-- NOTIFY is delivered at commit, and a transaction's identical ones once.
-- A TRUNCATE tells an empty payload: every biller may have changed.
--
-- Released: never edit this file (see migrations/README.md). Change the
-- schema with a new numbered file.

CREATE FUNCTION portal_biller_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_LEVEL = 'STATEMENT' THEN
		PERFORM pg_notify('portal_billers', '');
	ELSIF TG_TABLE_NAME = 'billers' THEN
		IF TG_OP <> 'INSERT' THEN
			PERFORM pg_notify('portal_billers', OLD.id::text);
		END IF;
		IF TG_OP <> 'DELETE' THEN
			PERFORM pg_notify('portal_billers', NEW.id::text);
		END IF;
	ELSE
		IF TG_OP <> 'INSERT' THEN
			PERFORM pg_notify('portal_billers', OLD.biller_id::text);
		END IF;
		IF TG_OP <> 'DELETE' THEN
			PERFORM pg_notify('portal_billers', NEW.biller_id::text);
		END IF;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER billers_changed AFTER INSERT OR UPDATE OR DELETE ON billers
	FOR EACH ROW EXECUTE FUNCTION portal_biller_changed();
CREATE TRIGGER biller_hosts_changed AFTER INSERT OR UPDATE OR DELETE ON biller_hosts
	FOR EACH ROW EXECUTE FUNCTION portal_biller_changed();
CREATE TRIGGER billers_truncated AFTER TRUNCATE ON billers
	FOR EACH STATEMENT EXECUTE FUNCTION portal_biller_changed();
CREATE TRIGGER biller_hosts_truncated AFTER TRUNCATE ON biller_hosts
	FOR EACH STATEMENT EXECUTE FUNCTION portal_biller_changed();
