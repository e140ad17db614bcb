// After a failed POST the page opens with the error summary as the first thing in <main>
// (templates/macros/forms.html, page_error_summary) or with an error message from the server.
// Move the focus there, so a screen reader reads it and the page shows it, however long the
// page is. The first one wins: the summary comes before the messages.
// A file, not an inline script: the CSP allows scripts from 'self' only.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
})();
