-- Rate-limit counters shared by every portal instance (ports.Throttle):
-- one row per key and fixed window. Keys are hashes, never an address.
CREATE TABLE throttle (
	key          text NOT NULL,
	window_start timestamptz NOT NULL,
	window_end   timestamptz NOT NULL,
	hits         integer NOT NULL CHECK (hits > 0),
	PRIMARY KEY (key, window_start, window_end)
);
-- The sweep of ended windows.
CREATE INDEX throttle_end_idx ON throttle (window_end);
