--liquibase formatted sql

--changeset ap-intake:003-pg-stat-statements
--preconditions onFail:CONTINUE onError:CONTINUE
--precondition-sql-check expectedResult:1 SELECT count(*) FROM pg_settings WHERE name = 'shared_preload_libraries' AND 'pg_stat_statements' = ANY (string_to_array(replace(setting, ' ', ''), ','))
--comment: Slow-query monitoring reads pg_stat_statements. Created only when the server preloads the library; otherwise skipped (and retried at the next start) and the application logs a warning.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
--rollback DROP EXTENSION IF EXISTS pg_stat_statements;
