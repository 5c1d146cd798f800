// The one script the pages load (served from /assets like the stylesheet; the CSP allows no other
// and no inline script). It only enhances: every page works without it.
//   - a "Copy" button next to a read-only field (`data-copy` = the field's id, `data-copy-status` =
//     a live region that says what happened): hidden in the HTML, shown when the clipboard is usable.
// Kept as plain ES2020 text, so that no build step (nor wrangler's helpers) changes what browsers run.
export const ENHANCE_SCRIPT = `"use strict";
(function () {
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field || !status || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          status.textContent = "Link copied.";
        },
        function () {
          field.focus();
          field.select();
          status.textContent = "Copying is blocked: the link is selected, press Ctrl+C (or Cmd+C) to copy it.";
        },
      );
    });
  });
})();
`;
