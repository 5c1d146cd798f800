// A group whose applications are off shows a join form: only the fields that make the partner
// (the application form's locked fields: first name, last name, email).
import type { FormFieldDefinition } from "../forms/fields";
import { LOCKED_APPLICATION_FIELDS } from "../forms/fields";

export function joinFields(fields: FormFieldDefinition[]): FormFieldDefinition[] {
  return fields.filter((field) => Object.hasOwn(LOCKED_APPLICATION_FIELDS, field.key));
}
