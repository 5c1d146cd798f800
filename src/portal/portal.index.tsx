// The partner portal (`/portal/<company slug>/…`, README "Partner portal"): sign-in by one-time
// link, then the partner's own links, stats, rewards, leads, deals and profile. Built on the pages'
// web stack (strict CSP, CSRF-checked POSTs, error pages) and server-side sessions.
import { notFoundPage } from "../web/pages";
import { createPageRouter } from "../web/router";
import { loadCompany, loadPartnerSession, type PortalContext, requirePartner } from "./access";
import { linksPage, profilePage, qrFile, rewardsPage, saveProfile, statsPage } from "./pages";
import { checkEmailPage, requestSignInLink, signInLinkPage, signInPage, signOut, useSignInLink } from "./sign-in";
import { entriesPage, submitEntry } from "./submissions";

// The company, then the partner's session, before the CSRF check: a signed-in partner's forms carry
// tokens of their session. (`/:company/*` matches `/:company` itself too.)
export const portalRouter = createPageRouter<PortalContext>({
  beforeCsrf: { path: "/:company/*", handlers: [loadCompany, loadPartnerSession] },
});

const TOKEN = ":token{[A-Za-z0-9_-]{1,100}}";

// Signing in and out: no session needed.
portalRouter.get("/:company/sign-in", signInPage);
portalRouter.post("/:company/sign-in", requestSignInLink);
portalRouter.get("/:company/check-email", checkEmailPage);
portalRouter.get(`/:company/sign-in/${TOKEN}`, signInLinkPage);
portalRouter.post(`/:company/sign-in/${TOKEN}`, useSignInLink);
portalRouter.post("/:company/sign-out", signOut);

// The signed-in partner's pages.
portalRouter.get("/:company", requirePartner, linksPage);
portalRouter.get("/:company/links/:slug/qr.svg", requirePartner, qrFile);
portalRouter.get("/:company/stats", requirePartner, statsPage);
portalRouter.get("/:company/rewards", requirePartner, rewardsPage);
portalRouter.get("/:company/leads", requirePartner, entriesPage("lead"));
portalRouter.post("/:company/leads", requirePartner, submitEntry("lead"));
portalRouter.get("/:company/deals", requirePartner, entriesPage("deal"));
portalRouter.post("/:company/deals", requirePartner, submitEntry("deal"));
portalRouter.get("/:company/profile", requirePartner, profilePage);
portalRouter.post("/:company/profile", requirePartner, saveProfile);

portalRouter.all("*", (c) =>
  notFoundPage(c, "There is nothing at this address. Partners open the portal from the sign-in link they were sent."),
);
