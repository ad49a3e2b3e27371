-- Two-person changes (PendingChanges): an ADMIN proposes, a DPO who is neither the proposer nor
-- the one who gains from it confirms or declines. Portable SQL (H2 and PostgreSQL).
-- change_json holds the change itself (public values only: role names, a policy version, a public
-- key); a one-time password is never stored, it is made when the proposer asks for it.
CREATE TABLE pending_change (
    id                  VARCHAR(36)              NOT NULL PRIMARY KEY,
    kind                VARCHAR(32)              NOT NULL,
    change_json         VARCHAR(65536)           NOT NULL,
    summary             VARCHAR(1000)            NOT NULL,
    -- the console user the change gives powers to, who may not confirm it (null if none)
    beneficiary         VARCHAR(64),
    proposed_by         VARCHAR(64)              NOT NULL,
    proposed_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    state               VARCHAR(16)              NOT NULL CHECK (state IN ('PENDING', 'CONFIRMED', 'DECLINED')),
    decided_by          VARCHAR(64),
    decided_at          TIMESTAMP WITH TIME ZONE,
    -- for changes that give an account a new one-time password: whether the proposer received it
    password_released   BOOLEAN                  NOT NULL
);
CREATE INDEX pending_change_state ON pending_change (state, proposed_at);
