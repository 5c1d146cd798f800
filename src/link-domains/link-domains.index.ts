import { createRouter } from "../admin/context";
import * as handlers from "./link-domains.handlers";
import * as routes from "./link-domains.routes";

export const linkDomainsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.verify, handlers.verify)
  .openapi(routes.remove, handlers.remove);
