-- Embedded engine activations (backend = 'embedded'): CPU threads and context size per replica, and
-- whether the model serves /v1/embeddings instead of chat and completions. Empty for other kinds.
ALTER TABLE gateway_model ADD COLUMN engine_threads INTEGER;
ALTER TABLE gateway_model ADD COLUMN engine_ctx_size INTEGER;
ALTER TABLE gateway_model ADD COLUMN engine_embeddings BOOLEAN;
