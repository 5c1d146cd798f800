CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE INDEX `portal_sign_in_links_expires_idx` ON `portal_sign_in_links` (`expires_at`);--> statement-breakpoint
CREATE INDEX `web_sessions_expires_idx` ON `web_sessions` (`expires_at`);--> statement-breakpoint
CREATE INDEX `web_sessions_revoked_idx` ON `web_sessions` (`revoked_at`) WHERE revoked_at IS NOT NULL;