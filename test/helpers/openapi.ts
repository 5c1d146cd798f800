// Reading /openapi.json in tests, with the document's own types: a schema may be a `$ref`, and so
// may a parameter or a request body, so each is narrowed before it is read.
import { api, bodyOf, type OpenApiDocument } from "./admin";

type PathItem = NonNullable<OpenApiDocument["paths"]>[string];
export type Operation = NonNullable<PathItem["get"]>;
interface Reference {
  $ref: string;
}
export type SchemaOrReference = NonNullable<NonNullable<OpenApiDocument["components"]>["schemas"]>[string];
export type Schema = Exclude<SchemaOrReference, Reference>;
export type Parameter = Exclude<NonNullable<Operation["parameters"]>[number], Reference>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

export const isReference = (node: object): node is Reference => "$ref" in node && typeof node.$ref === "string";

export const openApiDocument = async () => bodyOf(await api(null, "GET", "/openapi.json"), 200);

/** Every operation of the document, with its path and (lower-case) method. */
export function operationsOf(doc: OpenApiDocument) {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = item[method];
      return op ? [{ path, method, op }] : [];
    }),
  );
}

/** The schema itself: a `$ref` is looked up among the document's component schemas. */
export function resolveSchema(doc: OpenApiDocument, node: SchemaOrReference | undefined): Schema | undefined {
  if (node === undefined || !isReference(node)) return node;
  return resolveSchema(doc, doc.components?.schemas?.[node.$ref.split("/").pop() ?? ""]);
}

/** The operation's parameters (none is a `$ref` in this document; one would be left out). */
export const parametersOf = (op: Operation): Parameter[] =>
  (op.parameters ?? []).filter((param): param is Parameter => !isReference(param));

/** The schema of the operation's JSON request body, if it has one. */
export const requestSchemaOf = (op: Operation): SchemaOrReference | undefined =>
  op.requestBody && !isReference(op.requestBody) ? op.requestBody.content["application/json"]?.schema : undefined;

type ResponseOrReference = NonNullable<NonNullable<Operation["responses"]>["default"]>;
export type ResponseObject = Exclude<ResponseOrReference, Reference>;

/** The operation's first documented success (2xx) response. */
export function successResponseOf(op: Operation): ResponseObject | undefined {
  const found = Object.entries(op.responses ?? {}).find(([status]) => status.startsWith("2"));
  const response: ResponseOrReference | undefined = found?.[1];
  return response && !isReference(response) ? response : undefined;
}
