import { createRouter } from "../admin/context";
import * as handlers from "./partners.handlers";
import * as routes from "./partners.routes";

export const partnersRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.links, handlers.links);
