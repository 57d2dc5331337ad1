--liquibase formatted sql

--changeset ap-intake:150-user-admin-role
--comment: Issue 15: users are managed by their own role, user-admin, so that holding dba no longer lets a user grant themselves invoice rights. Whoever held dba managed users until now and keeps that right: existing operators see no difference.
ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check;
ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN ('ap-clerk', 'ap-approver', 'dba', 'user-admin'));
INSERT INTO user_roles (user_id, role) SELECT user_id, 'user-admin' FROM user_roles WHERE role = 'dba' ON CONFLICT DO NOTHING;
--rollback DELETE FROM user_roles WHERE role = 'user-admin'; ALTER TABLE user_roles DROP CONSTRAINT user_roles_role_check; ALTER TABLE user_roles ADD CONSTRAINT user_roles_role_check CHECK (role IN ('ap-clerk', 'ap-approver', 'dba'));
