-- The nodes alive: each node beats every few seconds (store.Nodes.Beat), and deletes
-- its row when it closes its store. Those that share a quota divide it by how many beat
-- lately (internal/quota). Like job_runs, it belongs to the pseudo-workspace ''.
CREATE TABLE node_beats (
	workspace_id text        NOT NULL DEFAULT '' CHECK (workspace_id = ''),
	node         text        NOT NULL,
	seen_at      timestamptz NOT NULL,  -- the database's clock, so that nodes' clocks do not matter
	PRIMARY KEY (workspace_id, node)
);
