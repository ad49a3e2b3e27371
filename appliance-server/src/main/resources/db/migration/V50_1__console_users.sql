-- Console users, their roles and their sessions. Portable SQL (H2 and PostgreSQL).
-- Passwords are Argon2id PHC strings; session tokens are stored only as SHA-256 hashes.
CREATE TABLE console_user (
    username              VARCHAR(64)              NOT NULL PRIMARY KEY,
    display_name          VARCHAR(200)             NOT NULL,
    password_hash         VARCHAR(200)             NOT NULL,
    must_change_password  BOOLEAN                  NOT NULL,
    disabled              BOOLEAN                  NOT NULL,
    created_at            TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by            VARCHAR(100)             NOT NULL,
    password_changed_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE console_user_role (
    username  VARCHAR(64) NOT NULL REFERENCES console_user (username),
    role      VARCHAR(16) NOT NULL,
    PRIMARY KEY (username, role)
);

CREATE TABLE console_session (
    token_sha256  VARCHAR(64)              NOT NULL PRIMARY KEY,
    username      VARCHAR(64)              NOT NULL REFERENCES console_user (username),
    csrf_token    VARCHAR(64)              NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX console_session_user ON console_session (username);
