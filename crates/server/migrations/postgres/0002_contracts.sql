-- Contracts between parties of a round (spec section 2): proposed by the
-- buyer side or the supplier, then signed, declined or withdrawn. Only
-- signed contracts enter the round's assembled scenario. `quantity` is the
-- model's schedule as JSON; `facility` is qualified (SUPPLIER:X) and may be
-- left to the supplier to name on acceptance.
CREATE TABLE contracts (
    id            TEXT PRIMARY KEY NOT NULL,
    round         TEXT NOT NULL REFERENCES rounds (id),
    proposer      TEXT NOT NULL REFERENCES organisations (id),
    supplier      TEXT NOT NULL REFERENCES organisations (id),
    buyer         TEXT NOT NULL,
    facility      TEXT,
    product       TEXT NOT NULL,
    quantity      TEXT NOT NULL,
    penalty       DOUBLE PRECISION NOT NULL,
    price         DOUBLE PRECISION NOT NULL,
    status        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    created_by    TEXT NOT NULL REFERENCES users (id),
    decided_at    BIGINT,
    decided_by    TEXT REFERENCES users (id)
);
CREATE INDEX contracts_round ON contracts (round, status);
