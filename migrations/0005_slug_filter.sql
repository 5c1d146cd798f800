ALTER TABLE `companies` ADD `slugs_version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Hand-written (drizzle-kit does not model triggers): every slug written, by any path, moves its
-- company's version, so a slug filter built before it can never be taken as complete.
UPDATE `companies` SET `slugs_version` = (SELECT count(*) FROM `partner_links` pl WHERE pl.`company_id` = `companies`.`id`);--> statement-breakpoint
CREATE TRIGGER `partner_links_slugs_version_insert` AFTER INSERT ON `partner_links`
BEGIN
  UPDATE `companies` SET `slugs_version` = `slugs_version` + 1 WHERE `id` = NEW.`company_id`;
END;--> statement-breakpoint
CREATE TRIGGER `partner_links_slugs_version_update` AFTER UPDATE OF `slug`, `company_id` ON `partner_links`
BEGIN
  UPDATE `companies` SET `slugs_version` = `slugs_version` + 1 WHERE `id` = NEW.`company_id`;
END;
