// The designer's field builder on the form page: the form's fields as a list to edit — label,
// explanation, kind, required, choices, limits; add, rename, move and remove — kept equal to the form's
// JSON in the text area below it (the JSON stays the one thing that is saved). A change here
// writes the JSON (and the live preview follows); typing in the JSON redraws the list. A field
// named as in the shared vocabulary takes its kind and label from there and is shown so. Each
// field says where the process reads its name (conditions, scripts, decision tables, other forms),
// so that a designer who renames or removes it knows what to mend.
(function () {
  'use strict';
  var root = document.getElementById('velden-bouwer');
  var list = document.getElementById('velden-lijst');
  var text = document.getElementById('tekst');
  if (!root || !list || !text || text.readOnly) { return; }
  var texts = {};
  try { texts = JSON.parse(document.getElementById('werkpad-teksten').textContent); } catch (e) { texts = {}; }
  function t(s, values) {
    var out = Object.prototype.hasOwnProperty.call(texts, s) ? texts[s] : s;
    return out.replace(/{(\w+)}/g, function (m, key) { return values && key in values ? String(values[key]) : m; });
  }
  var vocabulary = {};
  try { vocabulary = JSON.parse(document.getElementById('vocabulaire').textContent) || {}; } catch (e) { vocabulary = {}; }
  var uses = {};  // per name, where the process reads it, in words (Designer.name_uses)
  try { uses = JSON.parse(document.getElementById('veldgebruik').textContent) || {}; } catch (e) { uses = {}; }
  function usesOf(name) {
    return Object.prototype.hasOwnProperty.call(uses, name) && Array.isArray(uses[name]) ? uses[name] : [];
  }
  var NAME = /^[a-z][a-z0-9_]*$/;

  var KINDS = [
    ['boolean', 'Ja/nee'], ['choice', 'Keuze uit een lijst'], ['choices', 'Meerdere keuzes'],
    ['text', 'Korte tekst'], ['textarea', 'Lange tekst'], ['integer', 'Geheel getal'], ['number', 'Getal'],
    ['date', 'Datum']
  ];
  // what a kind is made of in JSON Schema; switching kind drops what belonged to the old one
  var KIND_KEYS = ['type', 'enum', 'items', 'x-labels', 'format', 'x-widget', 'minimum', 'maximum',
    'minLength', 'maxLength', 'pattern', 'x-patroonfout', 'const', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems',
    'uniqueItems'];

  // The forms a short text can be asked in, as a designer names them: each a pattern the server checks
  // and what the consultant is told when a value is not of that form (x-patroonfout). A pattern from the
  // form file that is none of these is kept as it is.
  var SHAPES = [
    ['', 'Vrij'],
    ['postcode', 'Postcode', '^[1-9][0-9]{3} ?[A-Za-z]{2}$',
      'Vul de postcode in als vier cijfers en twee letters, bijvoorbeeld 1234 AB.'],
    ['telefoon', 'Telefoonnummer', '^(\\+31 ?|0)[1-9]([ -]?[0-9]){8}$',
      'Vul een Nederlands telefoonnummer in, bijvoorbeeld 06 12345678 of 013 1234567.'],
    ['email', 'E-mailadres', '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', 'Vul een e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.'],
    ['iban', 'IBAN', '^[A-Za-z]{2}[0-9]{2}( ?[A-Za-z0-9]){11,30}$', 'Vul een IBAN in, bijvoorbeeld NL91 ABNA 0417 1643 00.'],
    ['kvk', 'KvK-nummer', '^[0-9]{8}$', 'Vul een KvK-nummer in: acht cijfers, bijvoorbeeld 12345678.'],
    ['tijd', 'Tijd', '^([01]?[0-9]|2[0-3])[:.][0-5][0-9]$', 'Vul een tijd in als uu:mm, bijvoorbeeld 09:30.'],
    // no pattern but a format the server knows: nine digits that pass the 11-proef (its message is the server's)
    ['bsn', 'BSN', null, null, 'bsn']
  ];
  function shapeOf(prop) {
    if (prop.format === 'bsn') { return 'bsn'; }
    if (!prop.pattern) { return ''; }
    for (var i = 1; i < SHAPES.length; i++) { if (SHAPES[i][2] === prop.pattern) { return SHAPES[i][0]; } }
    return 'eigen';
  }

  function kindOf(prop) {
    if (prop.type === 'boolean') { return 'boolean'; }
    if (prop.type === 'array') { return 'choices'; }
    if (prop.enum) { return 'choice'; }
    if (prop.type === 'integer') { return 'integer'; }
    if (prop.type === 'number') { return 'number'; }
    if (prop.format === 'date') { return 'date'; }
    if (prop['x-widget'] === 'textarea') { return 'textarea'; }
    return 'text';
  }
  function kindWord(kind) {
    for (var i = 0; i < KINDS.length; i++) { if (KINDS[i][0] === kind) { return t(KINDS[i][1]); } }
    return kind;
  }
  function setKind(prop, kind) {
    var choices = choicesOf(prop);
    KIND_KEYS.forEach(function (k) { delete prop[k]; });
    if (kind === 'boolean') { prop.type = 'boolean'; }
    if (kind === 'integer') { prop.type = 'integer'; }
    if (kind === 'number') { prop.type = 'number'; }
    if (kind === 'text') { prop.type = 'string'; }
    if (kind === 'textarea') { prop.type = 'string'; prop['x-widget'] = 'textarea'; }
    if (kind === 'date') { prop.type = 'string'; prop.format = 'date'; }
    if (kind === 'choice' || kind === 'choices') {
      if (!choices.length) { choices = [['ja', 'Ja'], ['nee', 'Nee']]; }
      writeChoices(prop, kind, choices);
    }
  }
  function choicesOf(prop) {
    var source = prop.type === 'array' ? (prop.items || {}) : prop;
    var labels = source['x-labels'] || prop['x-labels'] || {};
    return (source.enum || []).map(function (v) { return [String(v), String(labels[v] || v)]; });
  }
  function writeChoices(prop, kind, choices) {
    var values = choices.map(function (c) { return c[0]; });
    var labels = {};
    choices.forEach(function (c) { labels[c[0]] = c[1]; });
    if (kind === 'choices') {
      prop.type = 'array';
      prop.items = { type: 'string', enum: values };
      delete prop.enum;
    } else {
      prop.type = 'string';
      prop.enum = values;
    }
    prop['x-labels'] = labels;
  }
  // choices as the designer types them: one per line, 'waarde = Label' (a line without '=' is both)
  function choicesText(choices) {
    return choices.map(function (c) { return c[0] === c[1] ? c[0] : c[0] + ' = ' + c[1]; }).join('\n');
  }
  function readChoices(value) {
    var out = [];
    var seen = {};
    value.split('\n').forEach(function (line) {
      if (!line.trim()) { return; }
      var at = line.indexOf('=');
      var key = (at < 0 ? line : line.slice(0, at)).trim();
      var label = (at < 0 ? line : line.slice(at + 1)).trim() || key;
      if (key && !seen[key]) { seen[key] = true; out.push([key, label]); }
    });
    return out;
  }

  var doc = null;
  var writing = false;
  var opened = {};  // the fields opened to edit, kept open when the list is drawn again
  var renamed = {};  // new name -> the name it had when the page was opened (renamed here)

  function parse() {
    try {
      var found = JSON.parse(text.value);
      if (!found || typeof found !== 'object' || Array.isArray(found)) { return null; }
      if (!found.properties || typeof found.properties !== 'object' || Array.isArray(found.properties)) {
        found.properties = {};
      }
      return found;
    } catch (e) { return null; }
  }
  function order() {
    var props = Object.keys(doc.properties);
    var first = (Array.isArray(doc['x-volgorde']) ? doc['x-volgorde'] : []).filter(function (n) {
      return props.indexOf(n) >= 0;
    });
    return first.concat(props.filter(function (n) { return first.indexOf(n) < 0; }));
  }
  // why a name cannot be a field of this form (null when it can); ``own`` is the field's present name
  function nameProblem(key, own) {
    if (!NAME.test(key)) {
      return t('Een veldnaam begint met een kleine letter en heeft verder alleen kleine letters, cijfers en _.');
    }
    if (key !== own && Object.prototype.hasOwnProperty.call(doc.properties, key)) {
      return t('Dit formulier heeft al een veld \u201c{veld}\u201d.', { veld: key });
    }
    return null;
  }
  function required(name) { return Array.isArray(doc.required) && doc.required.indexOf(name) >= 0; }
  function setRequired(name, on) {
    var now = Array.isArray(doc.required) ? doc.required.filter(function (n) { return n !== name; }) : [];
    if (on) { now.push(name); }
    if (now.length) { doc.required = now; } else { delete doc.required; }
  }
  // the JSON follows every change; the live preview (ontwerp.js) listens to the text area
  function write(redraw) {
    writing = true;
    text.value = JSON.stringify(doc, null, 2);
    text.dispatchEvent(new Event('input', { bubbles: true }));
    writing = false;
    if (redraw) { draw(); }
  }
  function reorder(names) {
    var props = {};
    names.forEach(function (n) { props[n] = doc.properties[n]; });
    doc.properties = props;
    if (Array.isArray(doc['x-volgorde'])) { doc['x-volgorde'] = names.slice(); }
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function labelled(label, input, help) {
    var id = 'bouw-' + Math.random().toString(36).slice(2, 10);
    input.id = id;
    var wrap = el('div', { class: 'bouw-veld' }, [el('label', { class: 'utrecht-form-label', for: id, text: label })]);
    if (help) {
      var hid = id + '-uitleg';
      wrap.appendChild(el('span', { class: 'klein', id: hid, text: help }));
      input.setAttribute('aria-describedby', hid);
    }
    wrap.appendChild(input);
    return wrap;
  }
  function button(label, action, extra) {
    var b = el('button', Object.assign({ type: 'button', class: 'utrecht-button utrecht-button--secondary-action werkpad-knop-klein' }, extra || {}), []);
    b.textContent = label;
    b.addEventListener('click', action);
    return b;
  }

  function fieldCard(name, index, names) {
    var prop = doc.properties[name];
    if (!prop || typeof prop !== 'object') { prop = doc.properties[name] = {}; }
    var shared = Object.prototype.hasOwnProperty.call(vocabulary, name);
    var base = shared ? vocabulary[name] : {};
    var shown = shared ? Object.assign({}, base, prop) : prop;
    // one line per field (label, kind, required); opened to edit it
    var card = el('details', { class: 'bouw-kaart', 'data-veld': name });
    if (opened[name]) { card.open = true; }
    card.addEventListener('toggle', function () { opened[name] = card.open; });
    var summary = el('summary', {});
    var summaryTitle = el('span', { class: 'bouw-titel', text: shown.title || name });
    var summaryWhat = el('span', { class: 'klein' });
    function sayWhat() {
      summaryWhat.textContent = ' ' + name + ' \u00b7 ' + kindWord(kindOf(shown)) +
        (required(name) ? ' \u00b7 ' + t('verplicht') : '') + (shared ? ' \u00b7 ' + t('vocabulaire') : '');
    }
    sayWhat();
    summary.appendChild(summaryTitle);
    summary.appendChild(summaryWhat);
    card.appendChild(summary);
    if (shared) {
      card.appendChild(el('p', { class: 'klein', text: t('Uit het gedeelde vocabulaire: {soort}. Label en uitleg komen daarvandaan, tenzij je ze hier anders invult.', { soort: kindWord(kindOf(shown)) }) }));
    }
    var read = usesOf(name);
    card.appendChild(el('p', { class: 'klein bouw-gebruik', text: read.length
      ? t('Ook gebruikt in: {plekken}.', { plekken: read.join(' \u00b7 ') })
      : t('Nergens anders gebruikt.') }));
    var before = renamed[name];
    if (before !== undefined && usesOf(before).length) {
      card.appendChild(el('p', { class: 'utrecht-form-field-error-message bouw-hernoemd', role: 'status', text:
        t('Dit veld heette \u201c{oud}\u201d; die naam wordt nog gebruikt in: {plekken}. Pas die plekken aan naar \u201c{nieuw}\u201d, anders vinden ze het veld niet meer.',
          { oud: before, nieuw: name, plekken: usesOf(before).join(' \u00b7 ') }) }));
    }
    var title = el('input', { type: 'text', class: 'utrecht-textbox utrecht-textbox--html-input', value: prop.title || '' });
    if (shared) { title.setAttribute('placeholder', base.title || ''); }
    title.addEventListener('input', function () {
      if (title.value.trim()) { prop.title = title.value; } else { delete prop.title; }
      summaryTitle.textContent = title.value.trim() || (shared ? base.title : '') || name;
      relabel();
      write(false);
    });
    card.appendChild(labelled(t('Label'), title));
    var help = el('textarea', { class: 'utrecht-textarea utrecht-textarea--html-textarea', rows: '2' });
    help.value = prop.description || '';
    if (shared) { help.setAttribute('placeholder', base.description || ''); }
    help.addEventListener('input', function () {
      if (help.value.trim()) { prop.description = help.value; } else { delete prop.description; }
      write(false);
    });
    card.appendChild(labelled(t('Uitleg voor de consulent'), help));
    var kind = kindOf(shown);
    if (!shared) {
      var select = el('select', { class: 'utrecht-select utrecht-select--html-select' });
      KINDS.forEach(function (k) {
        var o = el('option', { value: k[0], text: t(k[1]) });
        if (k[0] === kind) { o.selected = true; }
        select.appendChild(o);
      });
      select.addEventListener('change', function () { setKind(prop, select.value); write(true); });
      card.appendChild(labelled(t('Soort'), select));
    }
    if (!shared && (kind === 'choice' || kind === 'choices')) {
      var choices = el('textarea', { class: 'utrecht-textarea utrecht-textarea--html-textarea', rows: '4' });
      choices.value = choicesText(choicesOf(prop));
      choices.addEventListener('input', function () {
        var read = readChoices(choices.value);
        if (read.length) { writeChoices(prop, kind, read); write(false); }
      });
      card.appendChild(labelled(t('Keuzes'), choices, t('Eén per regel: waarde = tekst voor de consulent. De waarde staat in de zaak en in beslistabellen; verander haar niet bij een veld dat al in gebruik is.')));
    }
    if (!shared && (kind === 'integer' || kind === 'number')) {
      ['minimum', 'maximum'].forEach(function (key) {
        var input = el('input', { type: 'text', inputmode: 'decimal', class: 'utrecht-textbox utrecht-textbox--html-input bouw-getal', value: prop[key] === undefined ? '' : String(prop[key]) });
        input.addEventListener('input', function () {
          var v = input.value.trim().replace(',', '.');
          var n = kind === 'integer' ? parseInt(v, 10) : parseFloat(v);
          if (v === '') { delete prop[key]; } else if (!isNaN(n) && String(n) === String(Number(v))) { prop[key] = n; } else { return; }
          write(false);
        });
        card.appendChild(labelled(key === 'minimum' ? t('Minimaal') : t('Maximaal'), input));
      });
    }
    if (!shared && kind === 'text') {
      var shape = shapeOf(prop);
      var shapes = el('select', { class: 'utrecht-select utrecht-select--html-select bouw-vorm' });
      SHAPES.forEach(function (f) {
        var o = el('option', { value: f[0], text: t(f[1]) });
        if (f[0] === shape) { o.selected = true; }
        shapes.appendChild(o);
      });
      if (shape === 'eigen') {
        var own = el('option', { value: 'eigen', text: t('Eigen patroon (uit het formulierbestand)') });
        own.selected = true;
        shapes.appendChild(own);
      }
      var told = el('input', { type: 'text', class: 'utrecht-textbox utrecht-textbox--html-input bouw-patroonfout',
        value: prop['x-patroonfout'] || '' });
      var toldField = labelled(t('Melding bij een andere vorm'), told, t('Wat de consulent leest als de waarde niet deze vorm heeft.'));
      toldField.hidden = !prop.pattern;
      shapes.addEventListener('change', function () {
        var chosen = SHAPES.filter(function (f) { return f[0] === shapes.value; })[0];
        if (shapes.value === 'eigen') { return; }
        if (prop.format === 'bsn') { delete prop.format; }
        if (chosen && chosen[2]) {
          prop.pattern = chosen[2];
          prop['x-patroonfout'] = chosen[3];
        } else {
          delete prop.pattern;
          delete prop['x-patroonfout'];
          if (chosen && chosen[4]) { prop.format = chosen[4]; }
        }
        told.value = prop['x-patroonfout'] || '';
        toldField.hidden = !prop.pattern;
        write(false);
      });
      told.addEventListener('input', function () {
        if (told.value.trim()) { prop['x-patroonfout'] = told.value; } else { delete prop['x-patroonfout']; }
        write(false);
      });
      card.appendChild(labelled(t('Vorm'), shapes, t('De server controleert de vorm bij het afronden.')));
      card.appendChild(toldField);
    }
    var req = el('input', { type: 'checkbox', class: 'utrecht-checkbox utrecht-checkbox--html-input' });
    req.checked = required(name);
    req.addEventListener('change', function () { setRequired(name, req.checked); sayWhat(); write(false); });
    var reqId = 'bouw-verplicht-' + index;
    req.id = reqId;
    card.appendChild(el('div', { class: 'bouw-veld bouw-verplicht' }, [req, el('label', { for: reqId, class: 'utrecht-form-label', text: t('Verplicht') })]));
    var actions = el('div', { class: 'knoppen' });
    // the buttons say which field they act on, by its label as it now is
    function relabel() {
      var called = summaryTitle.textContent;
      Array.prototype.forEach.call(actions.querySelectorAll('button[data-zeg]'), function (b) {
        b.setAttribute('aria-label', t(b.getAttribute('data-zeg'), { veld: called }));
      });
    }
    if (index > 0) {
      actions.appendChild(button(t('Omhoog'), function () {
        var n = names.slice(); n.splice(index - 1, 0, n.splice(index, 1)[0]); reorder(n); write(true);
        focusCard(name, 'Omhoog');
      }, { 'data-zeg': '{veld} omhoog' }));
    }
    if (index < names.length - 1) {
      actions.appendChild(button(t('Omlaag'), function () {
        var n = names.slice(); n.splice(index + 1, 0, n.splice(index, 1)[0]); reorder(n); write(true);
        focusCard(name, 'Omlaag');
      }, { 'data-zeg': '{veld} omlaag' }));
    }
    var renameBox = el('div', { class: 'bouw-hernoem', hidden: 'hidden' });
    var newName = el('input', { type: 'text', class: 'utrecht-textbox utrecht-textbox--html-input', autocomplete: 'off', spellcheck: 'false', value: name });
    renameBox.appendChild(labelled(t('Nieuwe veldnaam'), newName, t('Lopende zaken houden hun gegevens onder de oude naam; de nieuwe naam geldt voor wat na publicatie wordt ingevuld.')));
    var renameSaid = el('p', { class: 'utrecht-form-field-error-message', role: 'alert', hidden: 'hidden' });
    renameBox.appendChild(renameSaid);
    newName.addEventListener('input', function () { renameSaid.hidden = true; });
    var doRename = button(t('Naam wijzigen'), function () {
      var key = newName.value.trim();
      var problem = nameProblem(key, name);
      if (problem) { renameSaid.textContent = problem; renameSaid.hidden = false; newName.focus(); return; }
      if (key === name) { renameBox.hidden = true; return; }
      rename(name, key, shared ? base : null);
      focusCard(key, 'Naam wijzigen\u2026');
    });
    renameBox.appendChild(el('div', { class: 'knoppen' }, [doRename, button(t('Annuleren'), function () {
      newName.value = name; renameSaid.hidden = true; renameBox.hidden = true; openRename.focus();
    })]));
    newName.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); doRename.click(); } });
    var openRename = button(t('Naam wijzigen\u2026'), function () {
      renameBox.hidden = false; newName.focus(); newName.select();
    }, { 'data-zeg': '{veld}: naam wijzigen' });
    actions.appendChild(openRename);
    actions.appendChild(button(t('Verwijderen'), function () {
      var question = t('Veld \u201c{veld}\u201d verwijderen? Gegevens die zaken al in dit veld hebben blijven in die zaken staan.', { veld: summaryTitle.textContent });
      if (read.length) { question += ' ' + t('Het veld wordt nog gebruikt in: {plekken}.', { plekken: read.join(' \u00b7 ') }); }
      if (!window.confirm(question)) { return; }
      delete doc.properties[name];
      setRequired(name, false);
      if (Array.isArray(doc['x-volgorde'])) { doc['x-volgorde'] = doc['x-volgorde'].filter(function (n) { return n !== name; }); }
      write(true);
    }, { 'data-zeg': '{veld} verwijderen' }));
    card.appendChild(actions);
    card.appendChild(renameBox);
    relabel();
    return card;
  }
  // a field under a new name, in the same place, with its label, kind, limits and 'verplicht'; a
  // field that took everything from the shared vocabulary keeps it written out under a name that is not there
  function rename(from, to, base) {
    var prop = doc.properties[from];
    if (base && !Object.prototype.hasOwnProperty.call(vocabulary, to)) {
      var merged = Object.assign({}, base, prop);
      prop = {};
      ['type', 'title', 'description'].concat(Object.keys(merged)).forEach(function (k) {
        if (k in merged && !(k in prop)) { prop[k] = merged[k]; }
      });
    }
    var props = {};
    Object.keys(doc.properties).forEach(function (n) { props[n === from ? to : n] = n === from ? prop : doc.properties[n]; });
    doc.properties = props;
    if (Array.isArray(doc.required)) { doc.required = doc.required.map(function (n) { return n === from ? to : n; }); }
    if (Array.isArray(doc['x-volgorde'])) { doc['x-volgorde'] = doc['x-volgorde'].map(function (n) { return n === from ? to : n; }); }
    renamed[to] = renamed[from] !== undefined ? renamed[from] : from;
    delete renamed[from];
    if (renamed[to] === to) { delete renamed[to]; }
    opened[to] = true;
    delete opened[from];
    write(true);
  }
  function focusCard(name, which) {
    var card = list.querySelector('[data-veld="' + (window.CSS && CSS.escape ? CSS.escape(name) : name) + '"]');
    if (!card) { return; }
    var buttons = card.querySelectorAll('.knoppen button');
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].textContent === t(which)) { buttons[i].focus(); return; }
    }
    if (buttons.length) { buttons[0].focus(); }
  }

  function adder() {
    var box = el('fieldset', { class: 'bouw-kaart bouw-nieuw' });
    box.appendChild(el('legend', { text: t('Nieuw veld') }));
    var name = el('input', { type: 'text', class: 'utrecht-textbox utrecht-textbox--html-input', autocomplete: 'off', spellcheck: 'false', list: 'bouw-vocabulaire' });
    var datalist = el('datalist', { id: 'bouw-vocabulaire' });
    Object.keys(vocabulary).sort().forEach(function (k) {
      datalist.appendChild(el('option', { value: k, label: vocabulary[k].title || k }));
    });
    box.appendChild(labelled(t('Veldnaam'), name, t('Kleine letters, cijfers en _ (zoals in beslistabellen en expressies). Een naam uit het gedeelde vocabulaire neemt soort en label daarvan over.')));
    box.appendChild(datalist);
    var kind = el('select', { class: 'utrecht-select utrecht-select--html-select' });
    KINDS.forEach(function (k) { kind.appendChild(el('option', { value: k[0], text: t(k[1]) })); });
    box.appendChild(labelled(t('Soort'), kind));
    var said = el('p', { class: 'utrecht-form-field-error-message', role: 'alert', hidden: 'hidden' });
    box.appendChild(said);
    name.addEventListener('input', function () { said.hidden = true; });
    var add = button(t('Veld toevoegen'), function () {
      var key = name.value.trim();
      var problem = nameProblem(key, null);
      if (problem) { said.textContent = problem; said.hidden = false; name.focus(); return; }
      var prop = {};
      if (!Object.prototype.hasOwnProperty.call(vocabulary, key)) {
        setKind(prop, kind.value);
        prop.title = key.charAt(0).toUpperCase() + key.slice(1).replace(/_/g, ' ');
      }
      doc.properties[key] = prop;
      opened[key] = true;
      if (Array.isArray(doc['x-volgorde'])) { doc['x-volgorde'].push(key); }
      write(true);
      var card = list.querySelector('[data-veld="' + key + '"] .bouw-veld input[type=text]');
      if (card) { card.focus(); }
    });
    box.appendChild(el('div', { class: 'knoppen' }, [add]));
    // Enter in the name adds the field (it would otherwise submit, and so save, the whole form)
    name.addEventListener('keydown', function (e) { if (e.key === 'Enter') { e.preventDefault(); add.click(); } });
    return box;
  }

  function draw() {
    list.textContent = '';
    if (!doc) {
      list.appendChild(el('p', { class: 'utrecht-form-field-error-message', id: 'bouw-ongeldig', text: t('De JSON hieronder is nu geen geldig formulier; herstel haar, dan verschijnen de velden weer.') }));
      return;
    }
    var names = order();
    names.forEach(function (name, i) { list.appendChild(fieldCard(name, i, names)); });
    list.appendChild(adder());
  }

  // Enter in a one-line field of the builder does not submit (and save) the form behind it
  list.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && e.target.tagName === 'INPUT' && e.target.type === 'text') { e.preventDefault(); }
  });
  text.addEventListener('input', function () {
    if (writing) { return; }
    doc = parse();
    draw();
  });
  doc = parse();
  draw();
  root.hidden = false;
}());
