DROP INDEX `customers_rollup_dirty_idx`;--> statement-breakpoint
CREATE INDEX `customers_rollup_dirty_idx` ON `customers` (`company_id`) WHERE counted_group_id IS NOT group_id OR counted_partner_id IS NOT partner_id OR counted_paid IS NOT (net_usd_cents > 0);--> statement-breakpoint
DROP INDEX `partners_rollup_dirty_idx`;--> statement-breakpoint
CREATE INDEX `partners_rollup_dirty_idx` ON `partners` (`company_id`) WHERE counted_group_id IS NOT (CASE WHEN status = 'active' THEN group_id END);