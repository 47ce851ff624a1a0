// The designer's decision-table page: dmn-js's decision-table editor on one DMN file of
// the draft. Entries are Werkpad expressions (Python, through the safe checker), not FEEL,
// so every cell is plain text. Saving sends the table to the server, which stores it in the
// draft and runs the same checks as every save; the problems come back, and those in this
// table are marked on their rules (a gap on the whole table).
(function () {
  'use strict';
  var root = document.getElementById('beslistabel');
  if (!root) { return; }
  if (!window.WerkpadDmn) {
    root.textContent = 'De beslistabel-editor ontbreekt op de server (voer npm ci uit).';
    return;
  }
  var file = root.getAttribute('data-bestand');
  var language = { label: 'Werkpad-expressie', value: 'python' };
  // the editor's own words in Dutch (dmn-js asks its 'translate' service for every label)
  var WORDS = {
    'When': 'Als', 'Then': 'Dan', 'And': 'En', 'Annotations': 'Toelichting', 'Annotation': 'Toelichting',
    'Hit policy:': 'Beslisregel:', 'Hit policy': 'Beslisregel', 'Unique': 'Uniek (precies één regel)',
    'First': 'Eerste', 'Priority': 'Prioriteit', 'Any': 'Willekeurig', 'Collect': 'Verzamelen',
    'Collect (Sum)': 'Verzamelen (som)', 'Collect (Min)': 'Verzamelen (min)', 'Collect (Max)': 'Verzamelen (max)',
    'Collect (Count)': 'Verzamelen (aantal)', 'Rule order': 'Regelvolgorde', 'Output order': 'Uitvoervolgorde',
    'Add rule': 'Regel toevoegen', 'Add rule above': 'Regel erboven toevoegen', 'Add rule below': 'Regel eronder toevoegen',
    'Remove rule': 'Regel verwijderen', 'Copy rule': 'Regel kopiëren', 'Cut rule': 'Regel knippen',
    'Paste rule above': 'Regel erboven plakken', 'Paste rule below': 'Regel eronder plakken', 'Move rule': 'Regel verplaatsen',
    'Add input': 'Invoer toevoegen', 'Add output': 'Uitvoer toevoegen',
    'Add input column left': 'Invoerkolom links toevoegen', 'Add input column right': 'Invoerkolom rechts toevoegen',
    'Add output column left': 'Uitvoerkolom links toevoegen', 'Add output column right': 'Uitvoerkolom rechts toevoegen',
    'Remove input column': 'Invoerkolom verwijderen', 'Remove output column': 'Uitvoerkolom verwijderen',
    'Copy input column': 'Invoerkolom kopiëren', 'Copy output column': 'Uitvoerkolom kopiëren',
    'Cut input column': 'Invoerkolom knippen', 'Cut output column': 'Uitvoerkolom knippen',
    'Paste input column left': 'Invoerkolom links plakken', 'Paste input column right': 'Invoerkolom rechts plakken',
    'Paste output column left': 'Uitvoerkolom links plakken', 'Paste output column right': 'Uitvoerkolom rechts plakken',
    'Add cell description': 'Toelichting bij cel toevoegen', 'Remove cell description': 'Toelichting bij cel verwijderen',
    'Input': 'Invoer', 'Output': 'Uitvoer', 'Input label': 'Naam van de invoer', 'Input label: ': 'Naam van de invoer: ',
    'Input expression': 'Invoerexpressie', 'Input expression: ': 'Invoerexpressie: ', 'Input type': 'Soort invoer',
    'Input values': 'Toegestane invoer', 'Output label': 'Naam van de uitvoer', 'Output label: ': 'Naam van de uitvoer: ',
    'Output name': 'Veldnaam van de uitvoer', 'Output name: ': 'Veldnaam van de uitvoer: ', 'Output type': 'Soort uitvoer',
    'Output values': 'Toegestane uitvoer', 'Type': 'Soort', 'Expression': 'Expressie', 'Expression language': 'Expressietaal',
    'Decision name': 'Naam van de beslissing', 'Decision name: ': 'Naam van de beslissing: ', 'Edit': 'Bewerken',
    'Edit input': 'Invoer bewerken', 'Edit output': 'Uitvoer bewerken', 'Enter expression': 'Typ een expressie',
    'Predefined values': 'Vaste waarden', 'Add predefined values': 'Vaste waarden toevoegen',
    'Clear predefined values': 'Vaste waarden wissen', 'Values': 'Waarden', 'Value': 'Waarde', 'No values': 'Geen waarden',
    'Yes': 'Ja', 'No': 'Nee', 'Resize': 'Breedte aanpassen', 'Strings must be in double quotes': 'Tekst staat tussen dubbele aanhalingstekens'
  };
  var dutch = {
    translate: ['value', function (template, replacements) {
      var text = Object.prototype.hasOwnProperty.call(WORDS, template) ? WORDS[template] : template;
      return text.replace(/{([^}]+)}/g, function (_m, key) {
        return replacements && key in replacements ? replacements[key] : '{' + key + '}';
      });
    }]
  };
  var modeler = new window.WerkpadDmn.TableModeler({
    container: document.getElementById('tabel'),
    common: { expressionLanguages: { options: [language], defaults: { editor: 'python' } } },
    decisionTable: { additionalModules: [dutch] }
  });
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
    if (!problems.length) { fresh.textContent = 'Geen problemen gevonden.'; }
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

  function save() {
    status.textContent = 'Bezig met bewaren…';
    modeler.saveXML({ format: true }).then(function (result) {
      return fetch(root.getAttribute('data-bewaar'), {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json',
          'X-CSRF-Token': root.getAttribute('data-csrf') },
        body: JSON.stringify({ xml: result.xml, toelichting: document.getElementById('toelichting').value })
      });
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      // a refusal: nothing was saved; what was refused is marked where it is
      if (!res.ok) { if (res.body.problemen) { showProblems(res.body.problemen); } throw new Error(res.body.message || 'niet bewaard'); }
      showProblems(res.body.problemen);
      var here = res.body.problemen.filter(function (p) { return p.file === file; }).length;
      var total = res.body.problemen.length;
      status.textContent = !total ? 'Bewaard; de controles zijn in orde.'
        : 'Bewaard, met ' + total + (total === 1 ? ' probleem' : ' problemen') +
          (here === total ? '.' : ' (' + here + ' in deze tabel).');
      root.setAttribute('data-bewaard', String(Date.now()));
    }).catch(function (error) {
      status.textContent = 'Niet bewaard: ' + error.message;
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
      if (!viewer) { throw new Error('dit bestand heeft geen beslistabel'); }
      viewer.get('eventBus').on('elements.changed', function () { setTimeout(mark, 0); });
      if (status) {
        viewer.get('eventBus').on('commandStack.changed', function () { status.textContent = 'Niet bewaarde wijzigingen.'; });
      }
      problems = info.problemen || [];
      mark();
      var button = document.getElementById('bewaar');
      if (button && info.bewerken) { button.addEventListener('click', save); }
      root.classList.add('geladen');
    }).catch(function (error) {
      document.getElementById('tabel').textContent = 'De beslistabel kan niet worden geladen (' + error.message + ').';
    });
})();
