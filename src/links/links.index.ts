import { createRouter } from "../admin/context";
import * as handlers from "./links.handlers";
import * as routes from "./links.routes";

export const linksRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.remove, handlers.remove);
