-- The platform's storage, version 1 (SQLite). Times are UTC milliseconds
-- since the epoch; lists and documents are JSON text; flags are 0/1. The
-- PostgreSQL folder holds the same schema with that database's types: keep
-- them in step, and never edit a released migration (expand, then contract).

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    actor       TEXT,
    buys_for    TEXT NOT NULL,
    blocs       TEXT NOT NULL,
    org_group   TEXT,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    organisation  TEXT NOT NULL REFERENCES organisations (id),
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (organisation, name)
);

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE rounds (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    coordinator  TEXT NOT NULL REFERENCES organisations (id),
    created_at   BIGINT NOT NULL,
    created_by   TEXT NOT NULL REFERENCES users (id)
);

CREATE TABLE reference_versions (
    round       TEXT NOT NULL REFERENCES rounds (id),
    version     BIGINT NOT NULL,
    media_type  TEXT NOT NULL,
    body        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round, version)
);

CREATE TABLE members (
    round         TEXT NOT NULL REFERENCES rounds (id),
    organisation  TEXT NOT NULL REFERENCES organisations (id),
    added_at      BIGINT NOT NULL,
    added_by      TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round, organisation)
);

CREATE TABLE contributions (
    round         TEXT NOT NULL REFERENCES rounds (id),
    organisation  TEXT NOT NULL REFERENCES organisations (id),
    version       BIGINT NOT NULL,
    media_type    TEXT NOT NULL,
    body          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (round, organisation, version)
);

-- A run is also its job: the lease columns say which worker holds it and
-- until when; a result is written only by the holder of a live lease.
CREATE TABLE runs (
    id                 TEXT PRIMARY KEY NOT NULL,
    round              TEXT NOT NULL REFERENCES rounds (id),
    kind               TEXT NOT NULL,
    options            TEXT NOT NULL,
    status             TEXT NOT NULL,
    progress           DOUBLE PRECISION NOT NULL,
    message            TEXT,
    error              TEXT,
    scenario           TEXT NOT NULL,
    reference_version  BIGINT NOT NULL,
    frozen_versions    TEXT NOT NULL,
    published_at       BIGINT,
    created_at         BIGINT NOT NULL,
    created_by         TEXT NOT NULL REFERENCES users (id),
    started_at         BIGINT,
    finished_at        BIGINT,
    lease_owner        TEXT,
    lease_expires      BIGINT,
    attempts           BIGINT NOT NULL
);
CREATE INDEX runs_claimable ON runs (status, created_at);
CREATE INDEX runs_round ON runs (round, created_at);

CREATE TABLE results (
    run         TEXT PRIMARY KEY NOT NULL REFERENCES runs (id),
    document    TEXT NOT NULL,
    worker      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE access_log (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    time          BIGINT NOT NULL,
    owner         TEXT NOT NULL,
    reader_org    TEXT NOT NULL,
    reader_user   TEXT NOT NULL,
    endpoint      TEXT NOT NULL,
    entities      TEXT NOT NULL
);
CREATE INDEX access_log_owner ON access_log (owner, time);
