CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_secret_hash_uq` ON `api_keys` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_company_idx` ON `api_keys` (`company_id`);--> statement-breakpoint
CREATE TABLE `click_counts_hourly` (
	`partner_link_id` text NOT NULL,
	`group_id` text NOT NULL,
	`hour` integer NOT NULL,
	`company_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`clicks` integer NOT NULL,
	`unique_clicks` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`partner_link_id`, `group_id`, `hour`)
);
--> statement-breakpoint
CREATE INDEX `click_counts_hourly_group_hour_idx` ON `click_counts_hourly` (`group_id`,`hour`);--> statement-breakpoint
CREATE TABLE `click_visitors` (
	`partner_link_id` text NOT NULL,
	`group_id` text NOT NULL,
	`hour` integer NOT NULL,
	`visitor_hash` text NOT NULL,
	`ingest_batch` text NOT NULL,
	PRIMARY KEY(`partner_link_id`, `group_id`, `hour`, `visitor_hash`)
);
--> statement-breakpoint
CREATE INDEX `click_visitors_ingest_batch_idx` ON `click_visitors` (`ingest_batch`);--> statement-breakpoint
CREATE TABLE `clicks` (
	`click_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`partner_link_id` text NOT NULL,
	`default_link_id` text NOT NULL,
	`ts` integer NOT NULL,
	`hour` integer NOT NULL,
	`kind` text NOT NULL,
	`country` text,
	`referer_host` text,
	`visitor_hash` text NOT NULL,
	`ingest_batch` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `clicks_ingest_batch_idx` ON `clicks` (`ingest_batch`);--> statement-breakpoint
CREATE TABLE `companies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`plan` text DEFAULT 'starter' NOT NULL,
	`default_group_id` text,
	`terms_url` text,
	`fallback_url` text,
	`attribution_model` text DEFAULT 'last_click' NOT NULL,
	`attribution_window_days` integer DEFAULT 90 NOT NULL,
	`click_id_param` text DEFAULT 'ps_xid' NOT NULL,
	`partner_key_param` text DEFAULT 'ps_partner_key' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `default_links` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`position` integer NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`destination_url` text NOT NULL,
	`utm_params` text DEFAULT '[]' NOT NULL,
	`lock_utms` integer DEFAULT false NOT NULL,
	`link_text` text NOT NULL,
	`deleted_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "default_links_position_ck" CHECK(position BETWEEN 1 AND 3),
	CONSTRAINT "default_links_original_text_ck" CHECK((position = 1) = (link_text = ''))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `default_links_live_position_uq` ON `default_links` (`group_id`,`position`) WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `default_links_live_text_uq` ON `default_links` (`group_id`,`link_text`) WHERE deleted_at IS NULL;--> statement-breakpoint
CREATE TABLE `groups` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`name` text NOT NULL,
	`slug` text NOT NULL,
	`referral_links_enabled` integer DEFAULT true NOT NULL,
	`terms_url` text,
	`archived_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `groups_company_slug_uq` ON `groups` (`company_id`,`slug`);--> statement-breakpoint
CREATE TABLE `link_domains` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`hostname` text NOT NULL,
	`cookie_domain` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `link_domains_hostname_uq` ON `link_domains` (`hostname`);--> statement-breakpoint
CREATE INDEX `link_domains_company_idx` ON `link_domains` (`company_id`);--> statement-breakpoint
CREATE TABLE `partner_links` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`slug` text NOT NULL,
	`link_text` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partner_links_company_slug_uq` ON `partner_links` (`company_id`,`slug`);--> statement-breakpoint
CREATE UNIQUE INDEX `partner_links_partner_text_uq` ON `partner_links` (`partner_id`,`link_text`);--> statement-breakpoint
CREATE TABLE `partners` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`partner_key` text NOT NULL,
	`email` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partners_company_key_uq` ON `partners` (`company_id`,`partner_key`);--> statement-breakpoint
CREATE INDEX `partners_group_idx` ON `partners` (`group_id`);