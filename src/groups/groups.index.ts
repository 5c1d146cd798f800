import { createRouter } from "../admin/context";
import * as handlers from "./groups.handlers";
import * as routes from "./groups.routes";

export const groupsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.archive, handlers.archive);
