import { createRoute, z } from "@hono/zod-openapi";
import { conflictResponse, errorResponses, idParam, jsonResponse, security } from "../admin/schemas";

const tags = ["Partner portal"];
const PartnerIdParam = idParam("partner_id", "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz");

export const SignInLinkSchema = z
  .object({
    object: z.literal("sign_in_link"),
    partner_id: z.string(),
    url: z
      .string()
      .nullable()
      .openapi({
        description:
          "Opens the partner portal's sign-in page for this partner: one use, until `expires_at`. Shown once, " +
          "now; only its hash is stored. `null` in a replay of the request (Idempotency-Key).",
      }),
    expires_at: z.string().openapi({ description: "15 minutes from now" }),
  })
  .openapi("SignInLink", {
    example: {
      object: "sign_in_link",
      partner_id: "ptn_01jd3k5qv0r8t2x7m9c4b6n1pz",
      url: "https://admin.example.com/portal/acme/sign-in/Uae0IGr4Jx2mB8sVq1Lw7NcT5yHd9PfK3oZa6Eu0XbQ",
      expires_at: "2026-11-25T08:15:00.000Z",
    },
  });

export const create = createRoute({
  method: "post",
  operationId: "createPartnerSignInLink",
  path: "/v1/partners/{partner_id}/sign-in-links",
  tags,
  security,
  summary: "Issue a one-time sign-in link into the partner portal for an active partner",
  description:
    "Give the URL to the partner (it is not emailed). Opening it shows a Sign in button; the link is used up " +
    "when the partner presses it, or expires after 15 minutes. Partners can also ask for a link by email on " +
    "the portal's sign-in page.",
  request: { params: PartnerIdParam },
  responses: {
    201: jsonResponse(SignInLinkSchema, "The link"),
    ...errorResponses,
    ...conflictResponse,
  },
});
