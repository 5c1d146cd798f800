CREATE TABLE `offer_versions` (
	`offer_id` text NOT NULL,
	`version` integer NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`active` integer NOT NULL,
	`hold_days` integer NOT NULL,
	`triggers` text NOT NULL,
	`trigger_count` integer NOT NULL,
	`effective_from` integer NOT NULL,
	`effective_to` integer,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`offer_id`, `version`),
	FOREIGN KEY (`offer_id`) REFERENCES `offers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `offer_versions_group_effective_idx` ON `offer_versions` (`group_id`,`effective_from`);--> statement-breakpoint
CREATE TABLE `offers` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`latest_version` integer NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `offers_group_idx` ON `offers` (`group_id`,`id`);--> statement-breakpoint
CREATE TABLE `reward_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`reward_id` text NOT NULL,
	`company_id` text NOT NULL,
	`from_status` text NOT NULL,
	`to_status` text NOT NULL,
	`reversed_amount` integer DEFAULT 0 NOT NULL,
	`reversed_usd_cents` integer DEFAULT 0 NOT NULL,
	`actor` text NOT NULL,
	`reason` text,
	`payout_reference` text,
	`transaction_id` text,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `reward_events_reward_idx` ON `reward_events` (`reward_id`,`seq`);--> statement-breakpoint
CREATE TABLE `rewards` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`group_id` text NOT NULL,
	`customer_id` text,
	`source_type` text NOT NULL,
	`source_id` text,
	`event_at` integer NOT NULL,
	`attribution` text,
	`click_id` text,
	`offer_id` text,
	`offer_version` integer,
	`trigger_id` text,
	`reward_type` text NOT NULL,
	`percent_bp` integer,
	`event_amount` integer,
	`event_currency` text,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`usd_per_unit` real NOT NULL,
	`minor_unit_digits` integer NOT NULL,
	`amount_usd_cents` integer NOT NULL,
	`capped_by` text,
	`reversed_amount` integer DEFAULT 0 NOT NULL,
	`reversed_usd_cents` integer DEFAULT 0 NOT NULL,
	`status` text NOT NULL,
	`hold_until` integer NOT NULL,
	`payout_reference` text,
	`reason` text,
	`created_by` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rewards_source_trigger_uq` ON `rewards` (`source_id`,`trigger_id`) WHERE trigger_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX `rewards_partner_idx` ON `rewards` (`partner_id`,`id`);--> statement-breakpoint
CREATE INDEX `rewards_company_idx` ON `rewards` (`company_id`,`id`);--> statement-breakpoint
CREATE INDEX `rewards_customer_trigger_idx` ON `rewards` (`customer_id`,`trigger_id`);--> statement-breakpoint
CREATE INDEX `rewards_pending_idx` ON `rewards` (`hold_until`) WHERE status = 'pending';--> statement-breakpoint
ALTER TABLE `transactions` ADD `refunded_amount` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `transactions` ADD `refund_of` text;--> statement-breakpoint
CREATE INDEX `transactions_customer_idx` ON `transactions` (`customer_id`,`seq`);