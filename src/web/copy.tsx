// "Copy" next to a text a person shares (a link, a secret shown once). Progressive: the text is in a
// read-only field anyone can select and copy; the button is `hidden` in the HTML and shown by the
// script (COPY_SCRIPT, served as a file: the CSP allows no inline script), so it never appears
// where it could not work.
import { fieldId } from "./form";

/** The script behind every `<CopyField>`: the clipboard API, else selecting the text and execCommand. */
export const COPY_SCRIPT = `"use strict";
document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
  var input = document.getElementById(button.getAttribute("data-copy-target"));
  var status = document.getElementById(button.getAttribute("data-copy-status"));
  if (!input) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var done = function () { if (status) status.textContent = "Copied to the clipboard."; };
    var fallback = function () {
      input.focus();
      input.select();
      try {
        document.execCommand("copy");
        done();
      } catch (e) {
        if (status) status.textContent = "Press Ctrl+C to copy.";
      }
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, fallback);
    else fallback();
  });
});
`;

export interface CopyFieldProps {
  name: string;
  label: string;
  value: string;
  hint?: string;
  /** The button's visible text. */
  buttonLabel?: string;
}

/** A labelled read-only field holding `value`, with a Copy button once the script runs. */
export function CopyField({ name, label, value, hint, buttonLabel = "Copy" }: CopyFieldProps) {
  const id = fieldId(name);
  return (
    <div class="field copy-field">
      <label for={id}>{label}</label>
      {hint ? (
        <small id={`${id}-hint`} class="field-hint">
          {hint}
        </small>
      ) : null}
      <div class="copy-row">
        <input id={id} type="text" value={value} readonly aria-describedby={hint ? `${id}-hint` : undefined} />
        <button
          type="button"
          class="secondary"
          hidden
          data-copy-target={id}
          data-copy-status={`${id}-status`}
          aria-describedby={id}
        >
          {buttonLabel}
        </button>
      </div>
      <p id={`${id}-status`} class="copy-status" role="status" aria-live="polite"></p>
    </div>
  );
}
