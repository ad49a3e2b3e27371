-- A model a new policy or organization profile judges worse, kept in service because the policy
-- says keep-pending-decision (on_regression), until a DPO records whether to keep or suspend it.
CREATE TABLE model_regression (
    id             VARCHAR(36)              NOT NULL PRIMARY KEY,
    version_id     VARCHAR(36)              NOT NULL,
    reason         VARCHAR(2048)            NOT NULL,
    raised_by      VARCHAR(256)             NOT NULL,
    raised_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    -- KEEP or SUSPEND once a DPO decided; empty while it waits.
    decision       VARCHAR(16),
    decided_by     VARCHAR(256),
    justification  VARCHAR(8192),
    decided_at     TIMESTAMP WITH TIME ZONE
);

CREATE INDEX ix_model_regression_version ON model_regression (version_id);
