-- The model vault's catalog (model-vault owns V10_*). Portable SQL: H2 and PostgreSQL.
-- No reference to tables other modules own: the CLI migrates this schema with only
-- model-vault's migrations on its class path.

-- Content-addressed blobs: the file lives at vault/blobs/sha256/<2 hex>/<64 hex>.
CREATE TABLE vault_blob (
    sha256      VARCHAR(64)              NOT NULL PRIMARY KEY,
    size_bytes  BIGINT                   NOT NULL,
    stored_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE vault_model (
    name        VARCHAR(256)             NOT NULL PRIMARY KEY,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- One imported bundle = one model version, with its provenance.
CREATE TABLE vault_model_version (
    id                           VARCHAR(36)              NOT NULL PRIMARY KEY,
    model_name                   VARCHAR(256)             NOT NULL REFERENCES vault_model (name),
    version                      VARCHAR(256)             NOT NULL,
    state                        VARCHAR(32)              NOT NULL,
    bundle_id                    VARCHAR(64)              NOT NULL,
    manifest_sha256              VARCHAR(64)              NOT NULL,
    publisher                    VARCHAR(512)             NOT NULL,
    origin_country               VARCHAR(2)               NOT NULL,
    source                       VARCHAR(2048),
    bundle_created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    imported_at                  TIMESTAMP WITH TIME ZONE NOT NULL,
    importer                     VARCHAR(256)             NOT NULL,
    total_bytes                  BIGINT                   NOT NULL,
    transfer_signer_name         VARCHAR(256)             NOT NULL,
    transfer_signer_fingerprint  VARCHAR(64)              NOT NULL,
    publisher_signature          VARCHAR(32)              NOT NULL,
    publisher_signer_name        VARCHAR(256),
    publisher_signer_fingerprint VARCHAR(64),
    publisher_signature_detail   VARCHAR(2048),
    flagged_at                   TIMESTAMP WITH TIME ZONE,
    flag_reason                  VARCHAR(2048),
    CONSTRAINT uq_vault_version_name UNIQUE (model_name, version),
    CONSTRAINT uq_vault_version_bundle UNIQUE (bundle_id)
);

CREATE INDEX ix_vault_version_transfer_signer ON vault_model_version (transfer_signer_fingerprint);
CREATE INDEX ix_vault_version_publisher_signer ON vault_model_version (publisher_signer_fingerprint);

-- The files of a version, each pointing at its blob. Paths may be long, so the key is the ordinal.
CREATE TABLE vault_file (
    version_id  VARCHAR(36)   NOT NULL REFERENCES vault_model_version (id),
    ordinal     INTEGER       NOT NULL,
    path        VARCHAR(4096) NOT NULL,
    size_bytes  BIGINT        NOT NULL,
    sha256      VARCHAR(64)   NOT NULL REFERENCES vault_blob (sha256),
    PRIMARY KEY (version_id, ordinal)
);

CREATE INDEX ix_vault_file_sha256 ON vault_file (sha256);

-- Every lifecycle transition, in order; the server also writes each to the audit log.
CREATE TABLE vault_lifecycle_event (
    id           VARCHAR(36)              NOT NULL PRIMARY KEY,
    version_id   VARCHAR(36)              NOT NULL REFERENCES vault_model_version (id),
    seq          INTEGER                  NOT NULL,
    from_state   VARCHAR(32),
    to_state     VARCHAR(32)              NOT NULL,
    actor        VARCHAR(256)             NOT NULL,
    reason       VARCHAR(2048),
    occurred_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT uq_vault_lifecycle_seq UNIQUE (version_id, seq)
);
