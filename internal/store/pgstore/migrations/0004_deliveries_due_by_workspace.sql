-- The queue by workspace: the safety-net sweep (store.Outbox.Sweep) reads each
-- workspace's due deliveries through it, a bounded share at a time, without stepping
-- over another workspace's backlog; and finds the workspaces with due deliveries by
-- skipping from one to the next.
CREATE INDEX deliveries_due_by_workspace ON deliveries (workspace_id, due, id) WHERE state = 'pending';
