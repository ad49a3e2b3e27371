-- Full verifications of the audit log run from the console (AuditIntegrity.verifyNow). Portable SQL
-- (H2 and PostgreSQL). The log itself needs none of this; it is a record of who checked it, when.
CREATE TABLE audit_verification (
    id             VARCHAR(36)              NOT NULL PRIMARY KEY,
    requested_by   VARCHAR(200)             NOT NULL,
    started_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    -- Entries and checkpoints the verifier checked (up to the problem, if one was found).
    entries        BIGINT                   NOT NULL,
    checkpoints    INTEGER                  NOT NULL,
    ok             BOOLEAN                  NOT NULL,
    problem_index  BIGINT,
    problem        VARCHAR(4000),
    verifier_key   VARCHAR(400)             NOT NULL,
    -- The audit.verified record that reports this run.
    audit_record   BIGINT                   NOT NULL
);
CREATE INDEX audit_verification_finished ON audit_verification (finished_at);
