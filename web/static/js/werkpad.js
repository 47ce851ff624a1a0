// Small progressive enhancements; every page works without this file.
(function () {
  'use strict';
  // Ask before irreversible actions (buttons with data-bevestig).
  document.addEventListener('submit', function (event) {
    var button = event.submitter || event.target.querySelector('[data-bevestig]');
    var question = button && button.getAttribute('data-bevestig');
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // Move focus to the error summary after a failed submit.
  var summary = document.getElementById('formulierfout');
  if (summary) {
    summary.setAttribute('tabindex', '-1');
    summary.focus();
  }
})();
