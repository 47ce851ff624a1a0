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
  // On a phone the inbox shows its search and the tasks first: the other filters fold away behind
  // "Meer filters" unless one of them is in use (without this script they are all shown).
  var filters = document.getElementById('inbox-filters');
  var more = filters && filters.querySelector('.meer-filters');
  if (more && window.matchMedia && window.matchMedia('(max-width: 600px)').matches && !filters.getAttribute('data-actief')) {
    filters.classList.add('ingeklapt');
    more.hidden = false;
    var words = [more.textContent, more.getAttribute('data-minder') || more.textContent];
    more.addEventListener('click', function () {
      var folded = filters.classList.toggle('ingeklapt');
      more.setAttribute('aria-expanded', String(!folded));
      more.textContent = words[folded ? 0 : 1];
    });
  }
  // Move focus to the error summary after a failed submit.
  var summary = document.getElementById('formulierfout');
  if (summary) {
    summary.setAttribute('tabindex', '-1');
    summary.focus();
  }
})();
