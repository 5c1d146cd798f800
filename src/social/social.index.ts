import { createRouter } from "../admin/context";
import * as handlers from "./social.handlers";
import * as routes from "./social.routes";

export const socialRouter = createRouter()
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.preview, handlers.preview);
