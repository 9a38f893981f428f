-- Names and ids sort by character code, as on H2, whatever collation the database was created with: under
-- en_US.UTF-8 'team-b' would sort after 'team1', and deployments would list in another order than on H2.
ALTER TABLE deployments
    ALTER COLUMN namespace TYPE VARCHAR(63) COLLATE "C",
    ALTER COLUMN name      TYPE VARCHAR(63) COLLATE "C";
ALTER TABLE versions
    ALTER COLUMN namespace TYPE VARCHAR(63) COLLATE "C",
    ALTER COLUMN name      TYPE VARCHAR(63) COLLATE "C";
ALTER TABLE snapshots
    ALTER COLUMN id        TYPE VARCHAR(36) COLLATE "C",
    ALTER COLUMN namespace TYPE VARCHAR(63) COLLATE "C",
    ALTER COLUMN name      TYPE VARCHAR(63) COLLATE "C";
ALTER TABLE events
    ALTER COLUMN namespace TYPE VARCHAR(63) COLLATE "C",
    ALTER COLUMN name      TYPE VARCHAR(63) COLLATE "C";
