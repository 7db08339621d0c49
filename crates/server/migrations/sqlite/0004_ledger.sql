-- The transparency ledger (spec section 5). Entries are appended under the
-- one-row `ledger_head` lock (a write transaction on SQLite, `SELECT ...
-- FOR UPDATE` on PostgreSQL), so that every entry gets the next index, no
-- index is assigned twice and `time` never decreases. `content` is the JSON
-- text exactly as it entered the leaf; `readers` the organisations that may
-- read the full form (the entry's parties, the round's coordinator and the
-- recorder), fixed at recording time. One checkpoint per tree size, signed
-- with the key file's key when the entry of that size was appended.
CREATE TABLE ledger_entries (
    idx               BIGINT PRIMARY KEY NOT NULL,
    time              TEXT NOT NULL,
    time_ms           BIGINT NOT NULL,
    kind              TEXT NOT NULL,
    organisation      TEXT NOT NULL,
    user_name         TEXT NOT NULL,
    round             TEXT,
    content           TEXT NOT NULL,
    salt              TEXT NOT NULL,
    leaf_hash         TEXT NOT NULL,
    checked_versions  TEXT,
    readers           TEXT NOT NULL
);
CREATE INDEX ledger_entries_round ON ledger_entries (round, idx);

CREATE TABLE ledger_checkpoints (
    size       BIGINT PRIMARY KEY NOT NULL,
    root_hash  TEXT NOT NULL,
    time       TEXT NOT NULL,
    key        TEXT NOT NULL,
    signature  TEXT NOT NULL
);

CREATE TABLE ledger_head (
    id       BIGINT PRIMARY KEY NOT NULL,
    size     BIGINT NOT NULL,
    time_ms  BIGINT NOT NULL
);
INSERT INTO ledger_head (id, size, time_ms) VALUES (1, 0, 0);
