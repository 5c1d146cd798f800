import { createRouter } from "../admin/context";
import * as handlers from "./offers.handlers";
import * as routes from "./offers.routes";
import * as simulation from "./simulate.handlers";
import * as simulationRoutes from "./simulate.routes";

export const offersRouter = createRouter()
  .openapi(routes.list, handlers.list)
  .openapi(routes.create, handlers.create)
  .openapi(routes.get, handlers.get)
  .openapi(routes.update, handlers.update)
  .openapi(routes.versions, handlers.versions)
  .openapi(simulationRoutes.simulate, simulation.simulate)
  .openapi(simulationRoutes.simulateDraft, simulation.simulateDraftOffer);
