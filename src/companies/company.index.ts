import { createRouter } from "../admin/context";
import * as handlers from "./company.handlers";
import * as routes from "./company.routes";

export const companyRouter = createRouter().openapi(routes.get, handlers.get).openapi(routes.update, handlers.update);
