import { OpenAPIHono, type RouteConfig, type RouteHandler } from "@hono/zod-openapi";
import type { Caller } from "../api-keys/service";
import type { companies, users } from "../db/schema";
import type { AdminEnv } from "../env";
import { problems } from "../lib/errors";
import { zodFieldErrors } from "../lib/validation";
import type { TxtResolver } from "../link-domains/dns";
import type { Mailer } from "../mail/mailer";
import type { PartnerCaller } from "../partner-credentials/service";
import type { WebSession } from "../web/sessions";

export interface AdminContext {
  Bindings: AdminEnv;
  Variables: {
    caller: Caller;
    /** The partner API's caller (`/partner/v1`, a partner credential); unset on the admin API. */
    partner: PartnerCaller;
    /** TXT lookups for link domain verification (DNS-over-HTTPS unless createAdminApp is given one). */
    resolveTxt: TxtResolver;
    /** What an Idempotency-Key replay answers, when it must differ from the response (a secret shown once). */
    replayBody?: unknown;
    /** How pages send email (src/mail/mailer.ts): the environment's, or a test's fake. */
    mailer: Mailer;
    /** Pages: the secret this visitor's CSRF tokens are derived from (src/web/csrf.ts). */
    csrfSecret?: string;
    /** Pages: the visitor's live session in a signed-in area, read before the CSRF check (`sessionLoader`). */
    webSession?: WebSession;
    /** The console's signed-in user and their company (src/console/auth.ts); unset elsewhere. */
    consoleUser: { user: typeof users.$inferSelect; company: typeof companies.$inferSelect };
  };
}

export type AdminHandler<R extends RouteConfig> = RouteHandler<R, AdminContext>;

/** A router whose request validation failures become 422 problems with per-field errors. */
export function createRouter() {
  return new OpenAPIHono<AdminContext>({
    defaultHook: (result) => {
      if (!result.success) throw problems.validation(zodFieldErrors(result.error));
    },
  });
}
