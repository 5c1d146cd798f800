CREATE TABLE `customers` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`customer_key` text NOT NULL,
	`email` text,
	`name` text,
	`partner_id` text NOT NULL,
	`group_id` text NOT NULL,
	`click_id` text,
	`attributed_at` integer NOT NULL,
	`net_usd_cents` integer DEFAULT 0 NOT NULL,
	`transaction_count` integer DEFAULT 0 NOT NULL,
	`counted_group_id` text,
	`counted_partner_id` text,
	`counted_paid` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `customers_company_key_uq` ON `customers` (`company_id`,`customer_key`);--> statement-breakpoint
CREATE INDEX `customers_company_email_idx` ON `customers` (`company_id`,`email`);--> statement-breakpoint
CREATE INDEX `customers_rollup_dirty_idx` ON `customers` (`id`) WHERE counted_group_id IS NOT group_id OR counted_partner_id IS NOT partner_id OR counted_paid IS NOT (net_usd_cents > 0);--> statement-breakpoint
CREATE TABLE `fx_rates` (
	`company_id` text NOT NULL,
	`currency` text NOT NULL,
	`usd_per_unit` real NOT NULL,
	`minor_unit_digits` integer NOT NULL,
	`as_of` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`company_id`, `currency`)
);
--> statement-breakpoint
CREATE TABLE `partner_stats` (
	`partner_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`clicks` integer DEFAULT 0 NOT NULL,
	`signups_paid` integer DEFAULT 0 NOT NULL,
	`signups_unpaid` integer DEFAULT 0 NOT NULL,
	`revenue_usd_cents` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `rollup_state` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `transactions` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`company_id` text NOT NULL,
	`key` text NOT NULL,
	`customer_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`group_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`usd_per_unit` real NOT NULL,
	`amount_usd_cents` integer NOT NULL,
	`product_key` text,
	`category_key` text,
	`occurred_at` integer NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `transactions_id_uq` ON `transactions` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `transactions_company_key_uq` ON `transactions` (`company_id`,`key`);--> statement-breakpoint
ALTER TABLE `click_counts_hourly` ADD `rolled_clicks` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `click_counts_hourly_rollup_dirty_idx` ON `click_counts_hourly` (`group_id`) WHERE clicks <> rolled_clicks;--> statement-breakpoint
ALTER TABLE `partners` ADD `counted_group_id` text;--> statement-breakpoint
CREATE INDEX `partners_rollup_dirty_idx` ON `partners` (`id`) WHERE counted_group_id IS NOT (CASE WHEN status = 'active' THEN group_id END);--> statement-breakpoint
-- Hand-added: default exchange rates (company_id ''), dated. Companies override them through
-- PUT /v1/fx-rates/{currency}; these are reference values, not live market rates.
INSERT INTO `fx_rates` (`company_id`, `currency`, `usd_per_unit`, `minor_unit_digits`, `as_of`, `updated_at`) VALUES
  ('', 'USD', 1.0, 2, '2026-11-01', 0),
  ('', 'EUR', 1.08, 2, '2026-11-01', 0),
  ('', 'GBP', 1.27, 2, '2026-11-01', 0),
  ('', 'CAD', 0.73, 2, '2026-11-01', 0),
  ('', 'AUD', 0.66, 2, '2026-11-01', 0),
  ('', 'NZD', 0.60, 2, '2026-11-01', 0),
  ('', 'CHF', 1.13, 2, '2026-11-01', 0),
  ('', 'SEK', 0.095, 2, '2026-11-01', 0),
  ('', 'NOK', 0.092, 2, '2026-11-01', 0),
  ('', 'DKK', 0.145, 2, '2026-11-01', 0),
  ('', 'PLN', 0.25, 2, '2026-11-01', 0),
  ('', 'JPY', 0.0067, 0, '2026-11-01', 0),
  ('', 'KRW', 0.00073, 0, '2026-11-01', 0),
  ('', 'CNY', 0.14, 2, '2026-11-01', 0),
  ('', 'HKD', 0.128, 2, '2026-11-01', 0),
  ('', 'SGD', 0.74, 2, '2026-11-01', 0),
  ('', 'INR', 0.012, 2, '2026-11-01', 0),
  ('', 'BRL', 0.18, 2, '2026-11-01', 0),
  ('', 'MXN', 0.055, 2, '2026-11-01', 0),
  ('', 'ZAR', 0.055, 2, '2026-11-01', 0),
  ('', 'KWD', 3.25, 3, '2026-11-01', 0);
