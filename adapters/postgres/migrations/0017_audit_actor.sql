-- « Mes données » (issue 16, part 6) lists one citizen account's events
-- (AuditQuery.ActorID): without this index, the biller's whole log would
-- be read for each payer who looks at their data. Failed logins with an
-- unknown address have no actor and are left out.
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at DESC, id DESC) WHERE actor_id IS NOT NULL;
