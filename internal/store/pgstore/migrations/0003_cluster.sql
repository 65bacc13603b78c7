-- What the nodes sharing the database share besides the data: the last run of each
-- scheduled job (a node claims the run of a scheduled instant here, so that one node
-- runs it) and what each node loaded from its rule and flow directories. These belong
-- to no workspace: their key begins with workspace_id like every other table's, always
-- the pseudo-workspace '' (under Citus: reference tables, one copy on every node).
CREATE TABLE job_runs (
	workspace_id text NOT NULL DEFAULT '' CHECK (workspace_id = ''),
	job          text NOT NULL,
	node         text NOT NULL,
	scheduled_at timestamptz,           -- the instant of the latest scheduled run claimed
	started_at   timestamptz NOT NULL,
	took_us      bigint,                -- microseconds; NULL while it runs
	error        text NOT NULL DEFAULT '',
	PRIMARY KEY (workspace_id, job)
);

CREATE TABLE node_loads (
	workspace_id text NOT NULL DEFAULT '' CHECK (workspace_id = ''),
	what         text NOT NULL,         -- 'rules', 'flows'
	node         text NOT NULL,
	version      text NOT NULL,
	ok           boolean NOT NULL,
	errors       integer NOT NULL,
	reloads      bigint NOT NULL,
	loaded_at    timestamptz,
	checked_at   timestamptz NOT NULL,
	PRIMARY KEY (workspace_id, what, node)
);
