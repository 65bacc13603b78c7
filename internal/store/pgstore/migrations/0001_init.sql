-- The schema of jds on PostgreSQL. Every table's primary key begins with workspace_id
-- (organization and workspace: "org/name"), and no statement touches two workspaces in
-- one transaction, so that Citus can distribute every table by workspace_id and
-- co-locate them (docs/DEPLOY.md).

-- workspaces: one row per workspace with data; seq is the sequence of its last event.
-- Appends lock the row (UPDATE ... RETURNING), so a workspace's events commit in the
-- order of their sequence numbers, which live streams resume by.
CREATE TABLE workspaces (
    workspace_id text   NOT NULL,
    org          text   NOT NULL,
    name         text   NOT NULL,
    seq          bigint NOT NULL DEFAULT 0,
    identity_version bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id)
);

-- events: the ledger. (workspace_id, id, source) is unique: dedupe.
CREATE TABLE events (
    workspace_id text   NOT NULL,
    seq          bigint NOT NULL,
    person_id    uuid   NOT NULL,
    time_ns      bigint NOT NULL,
    id           text   NOT NULL,
    source       text   NOT NULL,
    type         text   NOT NULL,
    raw          bytea  NOT NULL,
    PRIMARY KEY (workspace_id, seq),
    UNIQUE (workspace_id, id, source)
);
CREATE INDEX events_person ON events (workspace_id, person_id, time_ns, seq);
CREATE INDEX events_time ON events (workspace_id, time_ns);

-- aliases: who owns each normalised alias.
CREATE TABLE aliases (
    workspace_id text     NOT NULL,
    alias        text     NOT NULL,
    person_id    uuid     NOT NULL,
    kind         smallint NOT NULL,
    PRIMARY KEY (workspace_id, alias)
);
CREATE INDEX aliases_person ON aliases (workspace_id, person_id);

-- persons: the identity.Person records, live or merged. temporary_since is set for a
-- person created owning only temporaryIds (the expiry index).
CREATE TABLE persons (
    workspace_id    text  NOT NULL,
    person_id       uuid  NOT NULL,
    record          jsonb NOT NULL,
    temporary_since timestamptz,
    PRIMARY KEY (workspace_id, person_id)
);
CREATE INDEX persons_temporary ON persons (workspace_id, temporary_since) WHERE temporary_since IS NOT NULL;

-- states: derived state (progressive profiles), opaque named values per person.
CREATE TABLE states (
    workspace_id text   NOT NULL,
    person_id    uuid   NOT NULL,
    name         text   NOT NULL,
    value        bytea  NOT NULL,
    version      bigint NOT NULL,
    PRIMARY KEY (workspace_id, person_id, name)
);

-- deliveries: the outbox. due is set while the delivery is pending.
CREATE TABLE deliveries (
    workspace_id text        NOT NULL,
    id           uuid        NOT NULL,
    person_id    uuid        NOT NULL,
    state        text        NOT NULL,
    due          timestamptz,
    created_at   timestamptz NOT NULL,
    record       bytea       NOT NULL, -- store.EncodeDelivery: the payload byte for byte
    PRIMARY KEY (workspace_id, id)
);
CREATE INDEX deliveries_due ON deliveries (due, id) WHERE state = 'pending';
CREATE INDEX deliveries_person ON deliveries (workspace_id, person_id, created_at);

-- documents: small JSON values by collection and id.
CREATE TABLE documents (
    workspace_id text  NOT NULL,
    collection   text  NOT NULL,
    id           text  NOT NULL,
    value        bytea NOT NULL,
    PRIMARY KEY (workspace_id, collection, id)
);
