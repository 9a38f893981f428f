-- Rollback and readiness tracking.
ALTER TABLE deployments ADD COLUMN last_stable_version INT;
ALTER TABLE deployments ADD COLUMN rolling_back BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE deployments ADD COLUMN version_started_at BIGINT;
ALTER TABLE deployments ADD COLUMN restarts INT DEFAULT 0 NOT NULL;
ALTER TABLE deployments ADD COLUMN last_restart_at BIGINT;
-- restore_override holds "pin:<snapshot location>" now.
ALTER TABLE deployments ALTER COLUMN restore_override SET DATA TYPE TEXT;
