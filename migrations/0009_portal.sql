CREATE TABLE `mail_outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text,
	`recipient` text NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `mail_outbox_created_idx` ON `mail_outbox` (`created_at`);--> statement-breakpoint
CREATE TABLE `portal_sign_in_links` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `portal_sign_in_links_token_hash_uq` ON `portal_sign_in_links` (`token_hash`);--> statement-breakpoint
CREATE INDEX `portal_sign_in_links_partner_idx` ON `portal_sign_in_links` (`partner_id`);--> statement-breakpoint
CREATE TABLE `web_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`company_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `web_sessions_token_hash_uq` ON `web_sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `web_sessions_subject_idx` ON `web_sessions` (`kind`,`subject_id`);