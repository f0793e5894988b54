// Forms marked data-submit-once (they move money or stock) disable their submit buttons once sent, so a
// double click sends one request. Only a courtesy: the form's one-time token is the guarantee
// (distribution/core/once.py). The buttons are disabled after the submit event, so the clicked button's
// name and value are still sent; a page restored by the back button gets them back.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || !form.matches("form[data-submit-once]")) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])").forEach(function (button) {
      button.disabled = true;
    });
  }, 0);
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submit-once][data-sent]").forEach(function (form) {
    delete form.dataset.sent;
    form.querySelectorAll("button, input[type=submit]").forEach(function (button) {
      button.disabled = false;
    });
  });
});
