-- The organization profile (policies owns V20_*): what policies need to know about the
-- organization (monthly active users, EU domicile, commercial and multimodal use), versioned like
-- policies. Each activation names who proposed it and who confirmed it. Portable SQL.
CREATE TABLE org_profile_version (
    version     INTEGER                  NOT NULL PRIMARY KEY,
    profile     VARCHAR(8192)            NOT NULL,
    sha256      VARCHAR(64)              NOT NULL,
    saved_by    VARCHAR(256)             NOT NULL,
    saved_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE org_profile_activation (
    seq           INTEGER                  NOT NULL PRIMARY KEY,
    version       INTEGER                  NOT NULL REFERENCES org_profile_version (version),
    proposed_by   VARCHAR(256)             NOT NULL,
    confirmed_by  VARCHAR(256)             NOT NULL,
    activated_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
