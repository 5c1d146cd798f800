import { createRouter } from "../admin/context";
import * as handlers from "./rewards.handlers";
import * as routes from "./rewards.routes";

export const rewardsRouter = createRouter()
  .openapi(routes.get, handlers.get)
  .openapi(routes.grant, handlers.grant)
  .openapi(routes.list, handlers.list)
  .openapi(routes.change, handlers.change)
  .openapi(routes.pay, handlers.pay)
  .openapi(routes.totals, handlers.totals)
  .openapi(routes.exportCsv, handlers.exportCsv);
