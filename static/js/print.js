// Print buttons: <button type="button" data-print hidden>. Without JavaScript they stay
// hidden and the page says how to print (Ctrl+P); with it they show and open the print dialog.
// A file, not an inline handler: the CSP allows scripts from 'self' only.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
