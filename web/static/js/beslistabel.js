// The designer's decision-table page: dmn-js's decision-table editor on one DMN file of
// the draft. Entries are Werkpad expressions (Python, through the safe checker), not FEEL,
// so every cell is plain text. Saving sends the table to the server, which stores it in the
// draft and runs the same checks as every save; the problems come back, and those in this
// table are marked on their rules (a gap on the whole table).
(function () {
  'use strict';
  var root = document.getElementById('beslistabel');
  if (!root) { return; }
  // texts in the user's language (web/i18n.py, handed over by the page); Dutch when absent
  var texts = {};
  try { texts = JSON.parse(document.getElementById('werkpad-teksten').textContent); } catch (e) { texts = {}; }
  function t(text, values) {
    var out = Object.prototype.hasOwnProperty.call(texts, text) ? texts[text] : text;
    return out.replace(/{(\w+)}/g, function (m, key) { return values && key in values ? String(values[key]) : m; });
  }
  if (!window.WerkpadDmn) {
    root.textContent = t('De beslistabel-editor ontbreekt op de server (voer npm ci uit).');
    return;
  }
  var file = root.getAttribute('data-bestand');
  var language = { label: t('Werkpad-expressie'), value: 'python' };
  // dmn-js asks its 'translate' service for every label by its English text; the page hands over
  // those words in the user's language with the rest (web/i18n.py DMN_WORDS)
  var translated = {
    translate: ['value', function (template, replacements) {
      return t(template).replace(/{([^}]+)}/g, function (_m, key) {
        return replacements && key in replacements ? replacements[key] : '{' + key + '}';
      });
    }]
  };
  var modeler = new window.WerkpadDmn.TableModeler({
    container: document.getElementById('tabel'),
    // the data types a column can have, by their names in the user's language (web/i18n.py DMN_WORDS)
    common: { expressionLanguages: { options: [language], defaults: { editor: 'python' } },
      dataTypes: ['string', 'boolean', 'integer', 'number'] },
    decisionTable: { additionalModules: [translated] }
  });
  root.werkpadTabel = modeler;  // for the browser tests
  var info = null;
  var problems = [];
  var status = document.getElementById('bewaar-status');

  function active() { return modeler.getActiveViewer(); }

  function decisionShown() {
    var view = modeler.getActiveView();
    return view ? view.element : null;
  }

  function cells(id) {
    if (!id) { return []; }
    var container = document.getElementById('tabel');
    var sel = CSS.escape(id);
    return Array.prototype.slice.call(container.querySelectorAll(
      '[data-row-id="' + sel + '"], [data-element-id="' + sel + '"], th[data-col-id="' + sel + '"]'));
  }

  // the rules a problem is about carry the class 'probleem' (re-applied after each change,
  // as the table renders itself anew)
  function mark() {
    var container = document.getElementById('tabel');
    Array.prototype.forEach.call(container.querySelectorAll('.probleem'), function (el) { el.classList.remove('probleem'); });
    container.classList.remove('probleem-tabel');
    problems.forEach(function (p) {
      if (p.file !== file || !p.element) { return; }
      var found = cells(p.element);
      var decision = decisionShown();
      if (!found.length && decision && decision.decisionLogic && decision.decisionLogic.id === p.element) {
        container.classList.add('probleem-tabel');
      }
      found.forEach(function (el) { el.classList.add('probleem'); });
      var rules = (decision && decision.decisionLogic && decision.decisionLogic.rule) || [];
      (p.message.match(/regel \d+/g) || []).forEach(function (word) {
        var rule = rules[parseInt(word.slice(6), 10) - 1];
        if (rule) { cells(rule.id).forEach(function (el) { el.classList.add('probleem'); }); }
      });
    });
  }

  function showProblems(list) {
    problems = list || [];
    var old = document.getElementById('problemen');
    var fresh = document.createElement(problems.length ? 'ul' : 'p');
    fresh.id = 'problemen';
    fresh.className = problems.length ? 'problemen' : 'klein';
    if (!problems.length) { fresh.textContent = t('Geen problemen gevonden.'); }
    problems.forEach(function (p) {
      var li = document.createElement('li');
      li.textContent = p.message;
      li.setAttribute('data-element', p.element || '');
      if (p.file === file) {
        li.classList.add('deze-tabel');
        li.addEventListener('click', function () {
          var target = cells(p.element)[0];
          if (target) { target.scrollIntoView({ block: 'center' }); target.focus && target.focus(); }
        });
      }
      fresh.appendChild(li);
    });
    old.parentNode.replaceChild(fresh, old);
    mark();
  }

  // One undo step per edited cell. dmn-js writes what is typed into the model a few characters at a
  // time (every pause in typing is a command), so Ctrl-Z took typing back bit by bit. Consecutive
  // changes of the same element and properties (a cell's text, an annotation, a column's label) while
  // the focus stays put are joined to the first one's step: the command stack undoes and redoes the
  // actions that share an id together. A step ends when the focus moves (into another or the same
  // cell again) and at undo or redo. diagram-js has no public call to join steps; it keeps them in
  // _stack/_stackIdx, and when that changes this does nothing (each bit stays a step of its own).
  function oneStepPerCell(viewer) {
    var stack = viewer.get('commandStack');
    var fresh = true;  // the next change starts a step of its own
    document.getElementById('tabel').addEventListener('focusin', function () { fresh = true; });
    viewer.get('eventBus').on('commandStack.changed', function (event) {
      if (event.trigger !== 'execute') { fresh = true; }
    });
    function keys(action) { return Object.keys(action.context.properties || {}).sort().join(' '); }
    viewer.get('eventBus').on('commandStack.element.updateProperties.postExecuted', function (event) {
      if (!Array.isArray(stack._stack) || typeof stack._stackIdx !== 'number') { return; }
      var top = stack._stack[stack._stackIdx];
      var before = stack._stack[stack._stackIdx - 1];
      if (!top || top.context !== event.context || (before && before.id === top.id)) { return; }  // part of a bigger command
      var join = !fresh && before && before.command === 'element.updateProperties' &&
        before.context.element === top.context.element && keys(before) === keys(top);
      fresh = false;
      if (join) { top.id = before.id; }
    });
  }

  // Ctrl-Z / Ctrl-Y anywhere on the page work on the table (dmn-js listens inside the table only;
  // elsewhere chromium's own undo would replay old typing into a cell as new changes), except while
  // typing in another field, whose own undo that is.
  function undoKeysOnPage(viewer) {
    document.addEventListener('keydown', function (event) {
      var key = (event.key || '').toLowerCase();
      if (!(event.ctrlKey || event.metaKey) || event.altKey || (key !== 'z' && key !== 'y')) { return; }
      var target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName || ''))) { return; }
      event.preventDefault();
      viewer.get('editorActions').trigger(key === 'y' || event.shiftKey ? 'redo' : 'undo');
    });
  }

  function save() {
    status.textContent = t('Bezig met bewaren…');
    modeler.saveXML({ format: true }).then(function (result) {
      return fetch(root.getAttribute('data-bewaar'), {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json',
          'X-CSRF-Token': root.getAttribute('data-csrf') },
        body: JSON.stringify({ xml: result.xml, toelichting: document.getElementById('toelichting').value })
      }).catch(function () {  // the browser's own words ('Failed to fetch') would show otherwise
        throw new Error(t('de server is niet bereikbaar'));
      });
    }).then(function (r) {
      // an answer that is no JSON (a proxy's error page, a crash) is said in words, not as a parse error
      return r.json().then(function (body) { return { ok: r.ok, body: body }; }, function () {
        return { ok: false, body: { message: t('onverwacht antwoord van de server (fout {status})', { status: r.status }) } };
      });
    }).then(function (res) {
      // a refusal: nothing was saved; what was refused is marked where it is
      if (!res.ok) { if (res.body.problemen) { showProblems(res.body.problemen); } throw new Error(res.body.message || t('niet bewaard')); }
      showProblems(res.body.problemen);
      var here = res.body.problemen.filter(function (p) { return p.file === file; }).length;
      var total = res.body.problemen.length;
      var values = { n: total, hier: here };
      status.textContent = !total ? t('Bewaard; de controles zijn in orde.')
        : here === total ? (total === 1 ? t('Bewaard, met 1 probleem.') : t('Bewaard, met {n} problemen.', values))
          : (total === 1 ? t('Bewaard, met 1 probleem ({hier} in deze tabel).', values)
            : t('Bewaard, met {n} problemen ({hier} in deze tabel).', values));
      root.setAttribute('data-bewaard', String(Date.now()));
    }).catch(function (error) {
      status.textContent = t('Niet bewaard: {reden}', { reden: error.message });
    });
  }

  fetch(root.getAttribute('data-url'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (r) {
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.json();
    }).then(function (data) {
      info = data;
      var note = document.getElementById('toelichting');
      if (note) { note.value = info.toelichting || ''; }
      return modeler.importXML(info.xml);
    }).then(function () {
      var viewer = active();
      if (!viewer) { throw new Error(t('dit bestand heeft geen beslistabel')); }
      viewer.get('eventBus').on('elements.changed', function () { setTimeout(mark, 0); });
      oneStepPerCell(viewer);
      undoKeysOnPage(viewer);
      if (status) {
        viewer.get('eventBus').on('commandStack.changed', function () { status.textContent = t('Niet bewaarde wijzigingen.'); });
      }
      problems = info.problemen || [];
      mark();
      var button = document.getElementById('bewaar');
      if (button && info.bewerken) { button.addEventListener('click', save); }
      root.classList.add('geladen');
    }).catch(function (error) {
      document.getElementById('tabel').textContent = t('De beslistabel kan niet worden geladen') + ' (' + error.message + ').';
    });
})();
