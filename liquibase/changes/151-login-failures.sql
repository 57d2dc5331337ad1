--liquibase formatted sql

--changeset ap-intake:151-login-failures
--comment: Issue 15: failed logins per user name and per client address, shared by every instance behind the database, for the login backoff (security/control/CredentialCheck). Not granted to ap_app: only the credential check reads and writes it, as the pool's own user, like users.
CREATE TABLE login_failures (
    kind            text        NOT NULL CHECK (kind IN ('user', 'client')),
    key             text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    failures        integer     NOT NULL CHECK (failures > 0),
    last_failure_at timestamptz NOT NULL DEFAULT now(),
    blocked_until   timestamptz,
    PRIMARY KEY (kind, key)
);
CREATE INDEX idx_login_failures_last ON login_failures (last_failure_at);
--rollback DROP TABLE login_failures;
