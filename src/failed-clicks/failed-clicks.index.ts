import { createRouter } from "../admin/context";
import * as handlers from "./failed-clicks.handlers";
import * as routes from "./failed-clicks.routes";

export const failedClicksRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.replay, handlers.replay);
