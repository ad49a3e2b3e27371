-- The appliance's identity: one row, written on first start. Portable SQL (H2 and PostgreSQL).
CREATE TABLE appliance_instance (
    id          VARCHAR(36)              NOT NULL PRIMARY KEY,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
