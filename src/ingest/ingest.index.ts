import { createRouter } from "../admin/context";
import * as handlers from "./ingest.handlers";
import * as routes from "./ingest.routes";

export const ingestRouter = createRouter()
  .openapi(routes.conversion, handlers.conversion)
  .openapi(routes.customer, handlers.customer)
  .openapi(routes.getCustomer, handlers.getCustomer)
  .openapi(routes.transaction, handlers.transaction);
