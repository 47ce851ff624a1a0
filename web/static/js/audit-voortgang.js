// Follows a background verification of an organisation (web/audit.py): polls the JSON endpoint
// named in data-voortgang-url, updates the progress bar and texts, and reloads the page when the
// run has finished so the findings are shown. No inline script: the CSP allows only this origin.
(function () {
  'use strict';
  var section = document.querySelector('[data-voortgang-url]');
  if (!section) { return; }
  var url = section.getAttribute('data-voortgang-url');
  var bar = document.getElementById('voortgang-balk');
  var failures = 0;

  function show(state) {
    Object.keys(state).forEach(function (key) {
      var field = section.querySelector('[data-veld="' + key + '"]');
      if (field) { field.textContent = state[key]; }
    });
    if (bar) {
      bar.max = Math.max(state.total, 1);
      bar.value = state.total ? state.done : 1;
      bar.textContent = state.percent + '%';
    }
  }

  function poll() {
    fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (state.finished) {
          window.location.reload();
        } else {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        failures += 1;  // the server may be restarting: try again, more slowly
        window.setTimeout(poll, Math.min(10000, 1000 * Math.pow(2, failures)));
      });
  }

  window.setTimeout(poll, 500);
}());
