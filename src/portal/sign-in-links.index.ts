import { createRouter } from "../admin/context";
import * as handlers from "./sign-in-links.handlers";
import * as routes from "./sign-in-links.routes";

export const signInLinksRouter = createRouter().openapi(routes.create, handlers.create);
