-- A `simulate` run of many samples is split into chunks of consecutive
-- samples that any worker may claim, each with its own lease (spec section
-- 4's lease rules, per chunk). Once every chunk has succeeded, the run
-- itself becomes claimable and its worker merges the chunks' results (JSON
-- `caisson_analysis::simulate::SampleChunk`) into the simulation.
CREATE TABLE run_chunks (
    run            TEXT NOT NULL REFERENCES runs (id),
    chunk          BIGINT NOT NULL,
    first_sample   BIGINT NOT NULL,
    samples        BIGINT NOT NULL,
    status         TEXT NOT NULL,
    lease_owner    TEXT,
    lease_expires  BIGINT,
    attempts       BIGINT NOT NULL,
    result         TEXT,
    PRIMARY KEY (run, chunk)
);
CREATE INDEX run_chunks_claimable ON run_chunks (status, run);
