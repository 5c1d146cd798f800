import { createRouter } from "../admin/context";
import * as handlers from "./fx.handlers";
import * as routes from "./fx.routes";

export const fxRouter = createRouter().openapi(routes.list, handlers.list).openapi(routes.set, handlers.set);
