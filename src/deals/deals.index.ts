import { createRouter } from "../admin/context";
import * as handlers from "./deals.handlers";
import * as routes from "./deals.routes";

export const dealsRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.register, handlers.register)
  .openapi(routes.get, handlers.get)
  .openapi(routes.move, handlers.move);
