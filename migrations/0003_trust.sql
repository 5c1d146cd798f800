CREATE TABLE `failed_clicks` (
	`message_id` text PRIMARY KEY NOT NULL,
	`click_id` text,
	`company_id` text,
	`body` text NOT NULL,
	`error` text NOT NULL,
	`attempts` integer NOT NULL,
	`failed_at` integer NOT NULL,
	`replayed_at` integer
);
--> statement-breakpoint
CREATE INDEX `failed_clicks_company_idx` ON `failed_clicks` (`company_id`,`failed_at`);--> statement-breakpoint
CREATE TABLE `kv_outbox` (
	`kind` text NOT NULL,
	`ref` text NOT NULL,
	`company_id` text NOT NULL,
	`version` text NOT NULL,
	`enqueued_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	PRIMARY KEY(`kind`, `ref`)
);
--> statement-breakpoint
CREATE INDEX `kv_outbox_company_idx` ON `kv_outbox` (`company_id`);--> statement-breakpoint
DROP INDEX `link_domains_hostname_uq`;--> statement-breakpoint
ALTER TABLE `link_domains` ADD `status` text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE `link_domains` ADD `verification_token` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `link_domains` ADD `verified_at` integer;--> statement-breakpoint
ALTER TABLE `link_domains` ADD `last_checked_at` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `link_domains_verified_hostname_uq` ON `link_domains` (`hostname`) WHERE status = 'verified';--> statement-breakpoint
CREATE UNIQUE INDEX `link_domains_company_hostname_uq` ON `link_domains` (`company_id`,`hostname`);--> statement-breakpoint
CREATE INDEX `link_domains_hostname_idx` ON `link_domains` (`hostname`);--> statement-breakpoint
ALTER TABLE `companies` ADD `kv_reconciled_at` integer;--> statement-breakpoint
ALTER TABLE `groups` ADD `net_revenue_usd_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `transactions` ADD `rolled` integer DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX `transactions_unrolled_idx` ON `transactions` (`company_id`) WHERE rolled = 0;--> statement-breakpoint
-- Data: domains that existed before verification served links, so they count as verified.
UPDATE `link_domains` SET `status` = 'verified', `verified_at` = `created_at`;--> statement-breakpoint
-- The money bound needs each group's running net; the per-row rollup watermark replaces the global one.
UPDATE `groups` SET `net_revenue_usd_cents` = coalesce((SELECT sum(`amount_usd_cents`) FROM `transactions` t WHERE t.`group_id` = `groups`.`id`), 0);--> statement-breakpoint
UPDATE `transactions` SET `rolled` = 1 WHERE `seq` <= coalesce((SELECT `value` FROM `rollup_state` WHERE `name` = 'transactions_seq'), 0);--> statement-breakpoint
INSERT INTO `rollup_state` (`name`, `value`) SELECT 'last_run_at:' || c.`id`, r.`value` FROM `companies` c, `rollup_state` r WHERE r.`name` = 'last_run_at';
