-- What the vault learned about a model version's files at import (model-vault owns V10_*).
-- Kept as plain facts for policy and the console; license-audit reads the files for more.
CREATE TABLE vault_model_facts (
    version_id          VARCHAR(36)   NOT NULL PRIMARY KEY REFERENCES vault_model_version (id),
    weight_format       VARCHAR(32)   NOT NULL,
    architecture        VARCHAR(256),
    model_type          VARCHAR(256),
    parameter_count     BIGINT,
    declared_dtype      VARCHAR(64),
    quantization        VARCHAR(64),
    quantization_bits   INTEGER,
    context_length      INTEGER,
    needs_remote_code   BOOLEAN       NOT NULL,
    has_pickle_weights  BOOLEAN       NOT NULL,
    -- One finding per line: KIND<TAB>file<TAB>reason.
    risk_findings       VARCHAR(65536) NOT NULL
);
