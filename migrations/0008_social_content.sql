CREATE TABLE `group_social_content` (
	`group_id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`twitter_message` text NOT NULL,
	`linkedin_title` text NOT NULL,
	`linkedin_message` text NOT NULL,
	`email_subject` text NOT NULL,
	`email_body` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`group_id`) REFERENCES `groups`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
