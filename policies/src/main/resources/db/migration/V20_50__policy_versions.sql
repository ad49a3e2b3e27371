-- Policy versions and which one is active (policies owns V20_50 and up; license-audit V20_1-V20_49).
-- Portable SQL: H2 and PostgreSQL. Append-only: a version is never changed or deleted, and every
-- activation is kept, so the policy that judged a model at any time can be shown again.

CREATE TABLE policy_version (
    name        VARCHAR(64)              NOT NULL,
    version     INTEGER                  NOT NULL,
    sha256      VARCHAR(64)              NOT NULL,
    -- The YAML exactly as validated; a policy file is at most 1 MiB.
    source      VARCHAR(1048576)         NOT NULL,
    saved_by    VARCHAR(256)             NOT NULL,
    saved_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (name, version)
);

CREATE TABLE policy_activation (
    seq           BIGINT                   NOT NULL PRIMARY KEY,
    name          VARCHAR(64)              NOT NULL,
    version       INTEGER                  NOT NULL,
    activated_by  VARCHAR(256)             NOT NULL,
    activated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    FOREIGN KEY (name, version) REFERENCES policy_version (name, version)
);
