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
  // A file chooser shows the chosen file's name in the page's language (.bestandskeuze).
  document.addEventListener('change', function (event) {
    var input = event.target;
    if (!input.matches || !input.matches('.bestandskeuze input[type=file]')) {
      return;
    }
    var name = input.parentNode.querySelector('.bestandsnaam');
    if (name) {
      name.textContent = input.files && input.files.length ? input.files[0].name : name.getAttribute('data-leeg');
    }
  });
  // Move focus to the error summary after a failed submit.
  var summary = document.getElementById('formulierfout');
  if (summary) {
    summary.setAttribute('tabindex', '-1');
    summary.focus();
  }
})();
