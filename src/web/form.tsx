// Form components: each field has a visible label, an optional hint, and its error message right
// above the control, both tied to it with `aria-describedby` (and `aria-invalid` on error), so a
// screen reader reads them with the field. Values are kept when a form is shown again with errors.
// Forms work without JavaScript: POST, then a redirect to a GET page (or the same page re-rendered
// with its errors, status 422).
import type { Child } from "hono/jsx";
import type { FieldError } from "../lib/errors";
import { CSRF_FIELD } from "./csrf";

/** The id of a field's control: the error summary links to it. */
export function fieldId(name: string): string {
  return `field-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** The first error of a field, if any. */
export function errorOf(errors: FieldError[] | undefined, name: string): string | undefined {
  return errors?.find((error) => error.field === name)?.message;
}

/** The summary at the top of a page with errors: focused on load, one link per field. */
export function ErrorSummary({ errors, heading = "There is a problem" }: { errors: FieldError[]; heading?: string }) {
  // `autofocus` moves focus here without any script, so keyboard and screen reader users start at the problem.
  return (
    <div class="error-summary" aria-labelledby="error-summary-title" role="alert" tabindex={-1} autofocus>
      <h2 id="error-summary-title">{heading}</h2>
      <ul>
        {errors.map((error) => (
          <li>
            <a href={`#${fieldId(error.field)}`}>{error.message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

interface FieldBase {
  name: string;
  label: string;
  hint?: string;
  error?: string;
  required?: boolean;
}

/** The ids a control is described by: its hint, then its error. */
function describedBy(id: string, hint?: string, error?: string): string | undefined {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

function HintAndError({ id, hint, error }: { id: string; hint?: string; error?: string }) {
  return (
    <>
      {hint ? (
        <small id={`${id}-hint`} class="field-hint">
          {hint}
        </small>
      ) : null}
      {error ? (
        <p id={`${id}-error`} class="field-error">
          <span class="visually-hidden">Error: </span>
          {error}
        </p>
      ) : null}
    </>
  );
}

function Label({ id, label, required }: { id: string; label: string; required?: boolean }) {
  return (
    <label for={id}>
      {label}
      {required ? null : <span class="field-hint-inline"> (optional)</span>}
    </label>
  );
}

export interface TextFieldProps extends FieldBase {
  type?: "text" | "email" | "url" | "tel" | "number" | "password" | "date";
  value?: string;
  autocomplete?: string;
  inputmode?: "text" | "email" | "url" | "tel" | "numeric" | "decimal";
  maxlength?: number;
  /** An example of the answer, shown while the field is empty (never instead of a label or hint). */
  placeholder?: string;
  spellcheck?: boolean;
  readonly?: boolean;
}

export function TextField({ type = "text", name, label, hint, error, required, value, ...rest }: TextFieldProps) {
  const id = fieldId(name);
  return (
    <div class="field">
      <Label id={id} label={label} required={required} />
      <HintAndError id={id} hint={hint} error={error} />
      <input
        id={id}
        name={name}
        type={type}
        value={value ?? ""}
        required={required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...rest}
      />
    </div>
  );
}

export interface TextAreaFieldProps extends FieldBase {
  value?: string;
  rows?: number;
  maxlength?: number;
  placeholder?: string;
}

export function TextAreaField({
  name,
  label,
  hint,
  error,
  required,
  value,
  rows = 4,
  maxlength,
  placeholder,
}: TextAreaFieldProps) {
  const id = fieldId(name);
  return (
    <div class="field">
      <Label id={id} label={label} required={required} />
      <HintAndError id={id} hint={hint} error={error} />
      <textarea
        id={id}
        name={name}
        rows={rows}
        maxlength={maxlength}
        placeholder={placeholder}
        required={required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
      >
        {value ?? ""}
      </textarea>
    </div>
  );
}

export interface SelectFieldProps extends FieldBase {
  options: { value: string; label: string }[];
  value?: string;
  /** A first, empty choice ("Choose…"), so nothing is picked for the visitor. */
  placeholder?: string;
}

export function SelectField({ name, label, hint, error, required, options, value, placeholder }: SelectFieldProps) {
  const id = fieldId(name);
  return (
    <div class="field">
      <Label id={id} label={label} required={required} />
      <HintAndError id={id} hint={hint} error={error} />
      <select
        id={id}
        name={name}
        required={required}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={describedBy(id, hint, error)}
      >
        {placeholder !== undefined ? <option value="">{placeholder}</option> : null}
        {options.map((option) => (
          <option value={option.value} selected={option.value === value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export interface CheckboxFieldProps extends FieldBase {
  checked?: boolean;
  /** What a checked box sends. */
  value?: string;
}

/** One checkbox (e.g. "I accept the terms"); its label follows the box. */
export function CheckboxField({ name, label, hint, error, required, checked, value = "yes" }: CheckboxFieldProps) {
  const id = fieldId(name);
  return (
    <div class="field">
      <HintAndError id={id} hint={hint} error={error} />
      <label for={id}>
        <input
          id={id}
          name={name}
          type="checkbox"
          value={value}
          checked={checked}
          required={required}
          aria-invalid={error ? "true" : undefined}
          aria-describedby={describedBy(id, hint, error)}
        />
        {label}
      </label>
    </div>
  );
}

export interface CheckboxesFieldProps extends FieldBase {
  options: { value: string; label: string }[];
  /** The values checked. */
  values?: string[];
}

/**
 * A question with any number of answers (a multi-select): a fieldset of checkboxes sharing the
 * name, its legend the question; the error links to the first choice.
 */
export function CheckboxesField({ values = [], ...props }: CheckboxesFieldProps) {
  return <ChoicesFieldset {...props} type="checkbox" isChecked={(value) => values.includes(value)} />;
}

export interface RadioFieldProps extends FieldBase {
  options: { value: string; label: string }[];
  value?: string;
}

/** A question with one answer: a fieldset whose legend is the question; the error links to the first choice. */
export function RadioField({ value, ...props }: RadioFieldProps) {
  return <ChoicesFieldset {...props} type="radio" isChecked={(option) => option === value} />;
}

/**
 * The fieldset of a question answered by choices sharing one name. A radio group's choices are
 * `required` (one must be picked); a checkbox's are not (each box is optional on its own).
 */
function ChoicesFieldset({
  name,
  label,
  hint,
  error,
  required,
  options,
  type,
  isChecked,
}: FieldBase & {
  options: { value: string; label: string }[];
  type: "checkbox" | "radio";
  isChecked: (value: string) => boolean;
}) {
  const id = fieldId(name);
  return (
    <fieldset class="field" aria-describedby={describedBy(id, hint, error)}>
      <legend>
        {label}
        {required ? null : <span class="field-hint-inline"> (optional)</span>}
      </legend>
      <HintAndError id={id} hint={hint} error={error} />
      {options.map((option, index) => {
        const optionId = index === 0 ? id : `${id}-${index}`;
        return (
          <label for={optionId}>
            <input
              id={optionId}
              name={name}
              type={type}
              value={option.value}
              checked={isChecked(option.value)}
              required={type === "radio" ? required : undefined}
              aria-invalid={error ? "true" : undefined}
            />
            {option.label}
          </label>
        );
      })}
    </fieldset>
  );
}

/**
 * A honeypot: a text field people never see (moved off-screen by site.css), never reach with Tab
 * and assistive technology never announces (`aria-hidden`), so only a bot fills it in. Its name
 * should look worth filling to a bot and be no real field's name.
 */
export function Honeypot({ name }: { name: string }) {
  const id = fieldId(name);
  return (
    <div class="honeypot" aria-hidden="true">
      <label for={id}>Leave this field empty</label>
      <input id={id} name={name} type="text" value="" tabindex={-1} autocomplete="off" />
    </div>
  );
}

/** The hidden CSRF token every POST form carries (src/web/csrf.ts). */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** A POST form: `novalidate` so the server's messages (in the error pattern) are the ones shown. */
export function PostForm({ action, csrf, children }: { action: string; csrf: string; children?: Child }) {
  return (
    <form method="post" action={action} novalidate>
      <CsrfField token={csrf} />
      {children}
    </form>
  );
}
