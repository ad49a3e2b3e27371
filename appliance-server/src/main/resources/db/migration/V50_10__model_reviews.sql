-- Model reviews and DPO decisions (appliance-server review package owns V50_10-V50_19).
-- Portable SQL: H2 (PostgreSQL mode) and PostgreSQL. Append-only: a re-review adds a row (the
-- highest number per version is the current one) and decisions belong to the review they decided,
-- so a new review starts with no approvals and the history of every earlier one stays readable.

CREATE TABLE model_review (
    id                  VARCHAR(36)              NOT NULL PRIMARY KEY,
    version_id          VARCHAR(36)              NOT NULL REFERENCES vault_model_version (id),
    review_number       INTEGER                  NOT NULL,
    verdict             VARCHAR(8)               NOT NULL,
    policy_name         VARCHAR(64)              NOT NULL,
    policy_version      INTEGER                  NOT NULL,
    required_approvals  INTEGER                  NOT NULL,
    -- LicenseReportJson and EvaluationJson as written at review time (each at most 1 MiB).
    license_report      VARCHAR(1048576)         NOT NULL,
    evaluation          VARCHAR(1048576)         NOT NULL,
    -- One note per line.
    notes               VARCHAR(65536)           NOT NULL,
    reviewed_by         VARCHAR(256)             NOT NULL,
    reviewed_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    UNIQUE (version_id, review_number),
    FOREIGN KEY (policy_name, policy_version) REFERENCES policy_version (name, version)
);

CREATE TABLE model_decision (
    id             VARCHAR(36)              NOT NULL PRIMARY KEY,
    review_id      VARCHAR(36)              NOT NULL REFERENCES model_review (id),
    version_id     VARCHAR(36)              NOT NULL REFERENCES vault_model_version (id),
    decision       VARCHAR(8)               NOT NULL,
    dpo            VARCHAR(256)             NOT NULL,
    justification  VARCHAR(8192)            NOT NULL,
    decided_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    -- One decision per DPO per review: the same person never counts twice.
    UNIQUE (review_id, dpo)
);

CREATE INDEX model_decision_version ON model_decision (version_id);
