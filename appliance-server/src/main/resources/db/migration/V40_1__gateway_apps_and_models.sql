-- The gateway: apps and their API keys, model activations and aliases. Portable SQL (H2 and PostgreSQL).

-- An internal application that calls the OpenAI-compatible API.
CREATE TABLE gateway_app (
    id                   VARCHAR(64)              NOT NULL PRIMARY KEY,
    name                 VARCHAR(200)             NOT NULL UNIQUE,
    requests_per_minute  INTEGER                  NOT NULL,
    tokens_per_minute    BIGINT                   NOT NULL,
    max_request_bytes    BIGINT                   NOT NULL,
    -- Header naming the end user when the request body has no OpenAI "user" field; empty for none.
    subject_header       VARCHAR(200)             NOT NULL,
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Models and aliases an app may call and see in /v1/models.
CREATE TABLE gateway_app_grant (
    app_id  VARCHAR(64)  NOT NULL REFERENCES gateway_app (id),
    model   VARCHAR(200) NOT NULL,
    PRIMARY KEY (app_id, model)
);

-- API keys: only the SHA-256 of the key is kept; the prefix is shown to tell keys apart.
CREATE TABLE gateway_api_key (
    id          VARCHAR(64)              NOT NULL PRIMARY KEY,
    app_id      VARCHAR(64)              NOT NULL REFERENCES gateway_app (id),
    prefix      VARCHAR(32)              NOT NULL,
    key_hash    VARCHAR(64)              NOT NULL UNIQUE,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);

-- A model activated on a backend. state is ACTIVE or INACTIVE; backend is vllm or external.
CREATE TABLE gateway_model (
    id           VARCHAR(200)             NOT NULL PRIMARY KEY,
    state        VARCHAR(16)              NOT NULL,
    backend      VARCHAR(16)              NOT NULL,
    vault_path   VARCHAR(1000)            NOT NULL,
    executable   VARCHAR(1000)            NOT NULL,
    -- JSON arrays: extra vLLM flags; external endpoints (base URLs).
    extra_args   VARCHAR(4000)            NOT NULL,
    endpoints    VARCHAR(4000)            NOT NULL,
    replicas     INTEGER                  NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

-- A stable name clients use (chat-default) pointing at a model; re-pointable.
CREATE TABLE gateway_alias (
    alias       VARCHAR(200)             NOT NULL PRIMARY KEY,
    model_id    VARCHAR(200)             NOT NULL REFERENCES gateway_model (id),
    updated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
