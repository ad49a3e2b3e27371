-- The vault catalog version a gateway model serves, when it was activated from the catalog: the
-- model is then served only while that version is ACTIVE there (a revoked version stops at once).
ALTER TABLE gateway_model ADD COLUMN catalog_version_id VARCHAR(64);
