// The company console (`/console`): server-rendered pages on the web stack (src/web: strict CSP,
// CSRF-checked forms, error pages) for a company's users. Sign-in and invites are open; every other
// page needs a console session, and a viewer's writes are refused before any handler runs.
import type { Hono } from "hono";
import type { AdminContext } from "../admin/context";
import { notFoundPage } from "../web/pages";
import { createPageRouter } from "../web/router";
import { loadConsoleSession, refuseViewerWrites, requireUser } from "./auth";
import { registerGroupPages } from "./group-page";
import { registerGroupsPages } from "./groups";
import { registerLinkDomainPages } from "./link-domains";
import { registerPartnersPages } from "./partners";
import { registerSettingsPages } from "./settings";
import { registerSignInPages } from "./sign-in";
import { registerApplicationTab } from "./tabs/application";
import { registerDealRegistrationTab } from "./tabs/deal-registration";
import { registerLeadSubmissionTab } from "./tabs/lead-submission";
import { registerLinksTab } from "./tabs/links";
import { registerOffersTab } from "./tabs/offers";
import { registerSettingsTab } from "./tabs/settings";
import { registerSocialTab } from "./tabs/social";

/** Each group tab's routes (src/console/tabs/): registered before the placeholder of the tabs not built yet. */
const GROUP_TAB_ROUTES: ((router: Hono<AdminContext>) => void)[] = [
  registerOffersTab,
  registerLinksTab,
  registerSocialTab,
  registerLeadSubmissionTab,
  registerDealRegistrationTab,
  registerApplicationTab,
  registerSettingsTab,
];

// The session is read before the CSRF check: a signed-in user's forms carry tokens of their session.
export const consoleRouter = createPageRouter({ beforeCsrf: { path: "*", handlers: [loadConsoleSession] } });

// Open: a handler registered before the session check answers without it.
registerSignInPages(consoleRouter);

consoleRouter.use("*", requireUser, refuseViewerWrites);
registerGroupsPages(consoleRouter);
for (const register of GROUP_TAB_ROUTES) register(consoleRouter);
registerGroupPages(consoleRouter);
registerPartnersPages(consoleRouter);
registerSettingsPages(consoleRouter);
registerLinkDomainPages(consoleRouter);
consoleRouter.all("*", (c) => notFoundPage(c));
