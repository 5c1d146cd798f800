import { createRouter } from "../admin/context";
import * as handlers from "./forms.handlers";
import * as routes from "./forms.routes";

export const formsRouter = createRouter()
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.addField, handlers.add)
  .openapi(routes.updateField, handlers.change)
  .openapi(routes.removeField, handlers.remove)
  .openapi(routes.reset, handlers.reset);
