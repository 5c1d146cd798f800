CREATE TABLE `applications` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`form_version_id` text NOT NULL,
	`email` text NOT NULL,
	`values` text NOT NULL,
	`status` text NOT NULL,
	`gated` integer NOT NULL,
	`partner_id` text,
	`rejection_reason` text,
	`decided_by` text,
	`decided_at` integer,
	`claimed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`form_version_id`) REFERENCES `form_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `applications_pending_email_uq` ON `applications` (`company_id`,`email`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `applications_company_status_idx` ON `applications` (`company_id`,`status`);--> statement-breakpoint
CREATE TABLE `deals` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`form_version_id` text NOT NULL,
	`values` text NOT NULL,
	`stage_id` text NOT NULL,
	`submitted_by` text NOT NULL,
	`last_move_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`closed_at` integer,
	`customer_id` text,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`form_version_id`) REFERENCES `form_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`stage_id`) REFERENCES `pipeline_stages`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`customer_id`) REFERENCES `customers`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deals_company_idx` ON `deals` (`company_id`,`id`);--> statement-breakpoint
CREATE INDEX `deals_partner_idx` ON `deals` (`partner_id`,`id`);--> statement-breakpoint
CREATE INDEX `deals_stage_idx` ON `deals` (`stage_id`);--> statement-breakpoint
CREATE TABLE `form_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`kind` text NOT NULL,
	`version` integer NOT NULL,
	`title` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`fields` text NOT NULL,
	`origin` text NOT NULL,
	`created_by` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `form_versions_form_version_uq` ON `form_versions` (`group_id`,`kind`,`version`);--> statement-breakpoint
CREATE TABLE `forms` (
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`kind` text NOT NULL,
	`current_version` integer NOT NULL,
	`final_stage_movers` text DEFAULT 'company' NOT NULL,
	`closing_creates_customer` integer DEFAULT true NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`group_id`, `kind`),
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `leads` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`form_version_id` text NOT NULL,
	`values` text NOT NULL,
	`stage_id` text NOT NULL,
	`submitted_by` text NOT NULL,
	`last_move_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`form_version_id`) REFERENCES `form_versions`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`stage_id`) REFERENCES `pipeline_stages`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `leads_company_idx` ON `leads` (`company_id`,`id`);--> statement-breakpoint
CREATE INDEX `leads_partner_idx` ON `leads` (`partner_id`,`id`);--> statement-breakpoint
CREATE INDEX `leads_stage_idx` ON `leads` (`stage_id`);--> statement-breakpoint
CREATE TABLE `partner_credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`partner_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`secret_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`partner_id`) REFERENCES `partners`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `partner_credentials_secret_hash_uq` ON `partner_credentials` (`secret_hash`);--> statement-breakpoint
CREATE INDEX `partner_credentials_partner_idx` ON `partner_credentials` (`partner_id`);--> statement-breakpoint
CREATE TABLE `pipeline_stages` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`group_id` text NOT NULL,
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`position` integer NOT NULL,
	`is_final` integer DEFAULT false NOT NULL,
	`removed_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `pipeline_stages_group_kind_idx` ON `pipeline_stages` (`group_id`,`kind`);--> statement-breakpoint
CREATE TABLE `stage_moves` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`entry_kind` text NOT NULL,
	`entry_id` text NOT NULL,
	`from_stage_id` text,
	`to_stage_id` text NOT NULL,
	`from_stage_name` text,
	`to_stage_name` text NOT NULL,
	`actor_kind` text NOT NULL,
	`actor_id` text NOT NULL,
	`moved_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `stage_moves_entry_idx` ON `stage_moves` (`entry_id`,`moved_at`);--> statement-breakpoint
CREATE INDEX `partners_company_email_idx` ON `partners` (`company_id`,`email`);
--> statement-breakpoint
-- ---- Hand-written (issue 11): groups created before this migration get the forms and pipelines a new
-- group is created with (src/forms/defaults.ts; the JSON below is DEFAULT_FORMS and DEFAULT_STAGES of
-- src/forms/fields.ts, test/forms/forms.test.ts holds them equal). Ids keep the prefixed shape: the
-- group's time part, then random characters.
INSERT INTO `forms` (`company_id`, `group_id`, `kind`, `current_version`, `updated_at`)
SELECT g.`company_id`, g.`id`, k.`value`, 1, g.`updated_at`
FROM `groups` g, json_each('["application","lead","deal"]') k;--> statement-breakpoint
INSERT INTO `form_versions` (`id`, `company_id`, `group_id`, `kind`, `version`, `title`, `description`, `fields`, `origin`, `created_at`)
SELECT 'fmv_' || substr(g.`id`, 5, 10) || substr(lower(hex(randomblob(8))), 1, 16), g.`company_id`, g.`id`,
       json_extract(v.`value`, '$.kind'), 1, json_extract(v.`value`, '$.title'), json_extract(v.`value`, '$.description'),
       json_extract(v.`value`, '$.fields'), 'default', g.`created_at`
FROM `groups` g, json_each('[{"kind":"application","title":"Apply to our partner program","description":"Tell us about yourself and how you would promote us.","fields":"[{\"key\":\"first_name\",\"label\":\"First name\",\"type\":\"text\",\"required\":true,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"last_name\",\"label\":\"Last name\",\"type\":\"text\",\"required\":true,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"email\",\"label\":\"Email\",\"type\":\"email\",\"required\":true,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"company\",\"label\":\"Company\",\"type\":\"text\",\"required\":false,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"website\",\"label\":\"Website\",\"type\":\"url\",\"required\":false,\"options\":[],\"helpText\":null,\"placeholder\":\"https://\"},{\"key\":\"promotion\",\"label\":\"How will you promote us?\",\"type\":\"textarea\",\"required\":false,\"options\":[],\"helpText\":null,\"placeholder\":null}]"},{"kind":"lead","title":"Submit a lead","description":"Introduce a prospect: our team qualifies it and works to close it.","fields":"[{\"key\":\"company_name\",\"label\":\"Company name\",\"type\":\"text\",\"required\":true,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"contact_name\",\"label\":\"Contact name\",\"type\":\"text\",\"required\":true,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"contact_email\",\"label\":\"Contact email\",\"type\":\"email\",\"required\":true,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"notes\",\"label\":\"Notes\",\"type\":\"textarea\",\"required\":false,\"options\":[],\"helpText\":null,\"placeholder\":null}]"},{"kind":"deal","title":"Register a deal","description":"Register a deal you are closing, so that it is attributed to you.","fields":"[{\"key\":\"company_name\",\"label\":\"Company name\",\"type\":\"text\",\"required\":true,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"contact_name\",\"label\":\"Contact name\",\"type\":\"text\",\"required\":true,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"contact_email\",\"label\":\"Contact email\",\"type\":\"email\",\"required\":true,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"deal_value\",\"label\":\"Estimated deal value (USD)\",\"type\":\"number\",\"required\":false,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"expected_close_date\",\"label\":\"Expected close date\",\"type\":\"date\",\"required\":false,\"options\":[],\"helpText\":null,\"placeholder\":null},{\"key\":\"notes\",\"label\":\"Notes\",\"type\":\"textarea\",\"required\":false,\"options\":[],\"helpText\":null,\"placeholder\":null}]"}]') v;--> statement-breakpoint
INSERT INTO `pipeline_stages` (`id`, `company_id`, `group_id`, `kind`, `name`, `position`, `is_final`, `created_at`, `updated_at`)
SELECT 'stg_' || substr(g.`id`, 5, 10) || substr(lower(hex(randomblob(8))), 1, 16), g.`company_id`, g.`id`,
       json_extract(s.`value`, '$.kind'), json_extract(s.`value`, '$.name'), json_extract(s.`value`, '$.position'),
       json_extract(s.`value`, '$.isFinal'), g.`created_at`, g.`created_at`
FROM `groups` g, json_each('[{"kind":"lead","name":"New","position":1,"isFinal":0},{"kind":"lead","name":"Contacted","position":2,"isFinal":0},{"kind":"lead","name":"Qualified","position":3,"isFinal":0},{"kind":"lead","name":"Converted","position":4,"isFinal":0},{"kind":"lead","name":"Disqualified","position":5,"isFinal":0},{"kind":"deal","name":"Registered","position":1,"isFinal":0},{"kind":"deal","name":"In progress","position":2,"isFinal":0},{"kind":"deal","name":"Closed won","position":3,"isFinal":1}]') s;
