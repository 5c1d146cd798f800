import { createRouter } from "../admin/context";
import * as handlers from "./applications.handlers";
import * as routes from "./applications.routes";

export const applicationsRouter = createRouter()
  .openapi(routes.submit, handlers.submit)
  .openapi(routes.list, handlers.list)
  .openapi(routes.get, handlers.get)
  .openapi(routes.approve, handlers.approve)
  .openapi(routes.reject, handlers.reject);
