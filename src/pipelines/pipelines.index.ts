import { createRouter } from "../admin/context";
import * as handlers from "./pipelines.handlers";
import * as routes from "./pipelines.routes";

export const pipelinesRouter = createRouter()
  .openapi(routes.get, handlers.get)
  .openapi(routes.updateFinalStage, handlers.finalStage)
  .openapi(routes.addStage, handlers.add)
  .openapi(routes.updateStage, handlers.update)
  .openapi(routes.removeStage, handlers.remove);
