import { createRouter } from "../admin/context";
import * as handlers from "./stats.handlers";
import * as routes from "./stats.routes";

export const statsRouter = createRouter()
  .openapi(routes.groupStats, handlers.groupStats)
  .openapi(routes.partnerStats, handlers.partnerStats)
  .openapi(routes.groupStatsCsv, handlers.groupStatsCsv);
