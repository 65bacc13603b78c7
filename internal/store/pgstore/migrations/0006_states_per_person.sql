-- states: a person's derived state (progressive profiles) in one row, every named value
-- of the person in it, names in order. A group commit reads and writes back each person's
-- row once, where a row per value cost a read and a write of each of the person's values
-- (about five under the sample templates) for every event.
ALTER TABLE states RENAME TO states_by_name;
ALTER INDEX states_pkey RENAME TO states_by_name_pkey;

CREATE TABLE states (
    workspace_id text    NOT NULL,
    person_id    uuid    NOT NULL,
    names        text[]  NOT NULL, -- in byte order, each once
    vals         bytea[] NOT NULL, -- vals[i] is the value of names[i]
    version      bigint  NOT NULL, -- the writing transaction: changes with any value
    PRIMARY KEY (workspace_id, person_id)
);

INSERT INTO states (workspace_id, person_id, names, vals, version)
SELECT workspace_id, person_id, array_agg(name ORDER BY name COLLATE "C"),
       array_agg(value ORDER BY name COLLATE "C"), max(version)
FROM states_by_name GROUP BY workspace_id, person_id;

DROP TABLE states_by_name;
