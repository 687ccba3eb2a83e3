// Keyward console: the one script, progressive enhancement only (every page works without it). Served from the
// server itself under a CSP that allows no inline script. Copy buttons: <button data-copy="ELEMENT-ID">.
'use strict';
document.addEventListener('click', function (event) {
  var button = event.target.closest('[data-copy]');
  if (!button || !navigator.clipboard) {
    return;
  }
  var source = document.getElementById(button.getAttribute('data-copy'));
  if (source) {
    navigator.clipboard.writeText(source.textContent).then(function () {
      button.textContent = 'Copied';
    });
  }
});
document.querySelectorAll('[data-copy]').forEach(function (button) {
  button.hidden = !navigator.clipboard;
});
