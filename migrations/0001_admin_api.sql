CREATE TABLE `group_slug_history` (
	`company_id` text NOT NULL,
	`slug` text NOT NULL,
	`group_id` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`company_id`, `slug`),
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `group_stats` (
	`group_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`partners` integer DEFAULT 0 NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`signups_paid` integer DEFAULT 0 NOT NULL,
	`signups_unpaid` integer DEFAULT 0 NOT NULL,
	`revenue_usd_cents` integer DEFAULT 0 NOT NULL,
	`refreshed_at` integer NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`company_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer,
	`body` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`company_id`, `key`)
);
--> statement-breakpoint
-- Hand-edited: SQLite cannot add a NOT NULL column without a default; existing companies get their id.
ALTER TABLE `companies` ADD `slug` text NOT NULL DEFAULT '';--> statement-breakpoint
UPDATE `companies` SET `slug` = `id` WHERE `slug` = '';--> statement-breakpoint
CREATE UNIQUE INDEX `companies_slug_uq` ON `companies` (`slug`);--> statement-breakpoint
ALTER TABLE `groups` ADD `lead_submission_enabled` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `groups` ADD `deal_registration_enabled` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `groups` ADD `application_form_enabled` integer DEFAULT false NOT NULL;