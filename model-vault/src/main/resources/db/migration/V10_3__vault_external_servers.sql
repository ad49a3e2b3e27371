-- Registered external servers (model-vault owns V10_*). Portable SQL: H2 and PostgreSQL.
-- A catalog version is either a signed bundle whose files the vault holds (BUNDLE) or an
-- OpenAI-compatible server the organization runs elsewhere (EXTERNAL), whose weights Airlock does
-- not hold: the vault keeps its declaration, license text and model card for the review.
ALTER TABLE vault_model_version ADD COLUMN kind VARCHAR(16) DEFAULT 'BUNDLE' NOT NULL;

CREATE TABLE vault_external_server (
    version_id         VARCHAR(36)   NOT NULL PRIMARY KEY REFERENCES vault_model_version (id),
    served_model_name  VARCHAR(256)  NOT NULL,
    -- Base URLs (http://host:port), one per line.
    endpoints          VARCHAR(4000) NOT NULL
);
