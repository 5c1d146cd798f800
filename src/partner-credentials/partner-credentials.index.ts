import { createRouter } from "../admin/context";
import * as handlers from "./partner-credentials.handlers";
import * as routes from "./partner-credentials.routes";

export const partnerCredentialsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.revoke, handlers.revoke);
