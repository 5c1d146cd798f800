import { createRouter } from "../admin/context";
import * as handlers from "./leads.handlers";
import * as routes from "./leads.routes";

export const leadsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.move, handlers.move);
