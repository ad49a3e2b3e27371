-- GDPR erasure requests (ErasureRequests): requested by one person, performed only when a different
-- person confirms. Portable SQL (H2 and PostgreSQL). The subject's id is kept only while the request
-- is pending; once performed only its pseudonymous tag (as in the log's leaves) remains.
CREATE TABLE audit_erasure_request (
    id              VARCHAR(36)              NOT NULL PRIMARY KEY,
    subject         VARCHAR(1000),
    subject_tag     VARCHAR(32)              NOT NULL,
    requested_by    VARCHAR(200)             NOT NULL,
    reason          VARCHAR(4000)            NOT NULL,
    requested_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    -- PENDING, then CONFIRMING while the keys are destroyed, then DONE.
    status          VARCHAR(16)              NOT NULL CHECK (status IN ('PENDING', 'CONFIRMING', 'DONE')),
    request_record  BIGINT                   NOT NULL,
    confirmed_by    VARCHAR(200),
    confirmed_at    TIMESTAMP WITH TIME ZONE,
    confirm_record  BIGINT,
    erasure_record  BIGINT,
    keys_destroyed  INTEGER
);
CREATE INDEX audit_erasure_request_status ON audit_erasure_request (status, requested_at);
