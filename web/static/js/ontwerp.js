// The process designer's pages: the bpmn-js modeler with the bpmn.io properties
// panel and Werkpad's own properties (fase, rol, formulier, termijn, timer, bericht), saving
// the draft and marking the problems the server found on the diagram; and the
// read-only diagrams of the difference and dry-run pages.
(function () {
  'use strict';
  var SPIFF = 'spiffworkflow:Properties';

  function getJson(url) {
    return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
      if (!r.ok) { throw new Error('HTTP ' + r.status); }
      return r.json();
    });
  }

  function option(select, value, text) {
    var o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    select.appendChild(o);
  }

  // ------------------------------------------------------------------ read-only diagrams
  function showDiagram(container, marks) {
    return getJson(container.getAttribute('data-url')).then(function (info) {
      return window.WerkpadLayout(info.xml);
    }).then(function (xml) {
      var viewer = new window.WerkpadBpmn.NavigatedViewer({ container: container });
      return viewer.importXML(xml).then(function () {
        var canvas = viewer.get('canvas');
        var registry = viewer.get('elementRegistry');
        canvas.zoom('fit-viewport');
        var focus = null;
        Object.keys(marks).forEach(function (id) {
          if (registry.get(id)) {
            canvas.addMarker(id, marks[id]);
            if (!focus && container.classList.contains('vergelijk')) { focus = registry.get(id); }
          }
        });
        if (focus && canvas.zoom() < 0.45) {  // a long process: show the first change readably
          canvas.zoom(0.8);
          var box = canvas.viewbox();
          canvas.viewbox({ x: focus.x + focus.width / 2 - box.width / 2, y: focus.y + focus.height / 2 - box.height / 2,
            width: box.width, height: box.height });
        }
        container.classList.add('geladen');
      });
    }).catch(function (error) {
      container.textContent = 'Het diagram kan niet worden getoond (' + error.message + ').';
      container.classList.add('diagram-fout');
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.diagram.vergelijk'), function (el) {
    showDiagram(el, JSON.parse(el.getAttribute('data-markeringen') || '{}'));
  });
  Array.prototype.forEach.call(document.querySelectorAll('.diagram.proefrit'), function (el) {
    var marks = {};
    JSON.parse(el.getAttribute('data-pad') || '[]').forEach(function (id) { marks[id] = 'gedaan'; });
    JSON.parse(el.getAttribute('data-timers') || '[]').forEach(function (id) { marks[id] = 'timer'; });
    showDiagram(el, marks);
  });

  // ------------------------------------------------------------------ form editor: live preview
  var source = document.getElementById('formulier-bron');
  var text = document.getElementById('tekst');
  if (source && text && !text.readOnly) {
    var pending = null;
    text.addEventListener('input', function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        var body = new URLSearchParams();
        body.set('tekst', text.value);
        body.set('csrf_token', source.querySelector('input[name=csrf_token]').value);
        fetch(source.getAttribute('data-voorbeeld'), { method: 'POST', credentials: 'same-origin', body: body })
          .then(function (r) { return r.text(); })
          .then(function (html) {
            var doc = new DOMParser().parseFromString(html, 'text/html');
            var fresh = doc.getElementById('voorbeeld');
            var old = document.getElementById('voorbeeld');
            if (fresh && old) { old.parentNode.replaceChild(document.importNode(fresh, true), old); }
          });
      }, 400);
    });
  }

  // ------------------------------------------------------------------ the modeler
  var root = document.getElementById('modeler');
  if (!root) { return; }
  if (!window.WerkpadModeler || !window.WerkpadBpmn) {
    root.textContent = 'De modeler ontbreekt op de server (voer npm ci uit).';
    return;
  }
  var lib = window.WerkpadModeler;
  var modeler = new lib.Modeler({
    container: '#canvas',
    propertiesPanel: { parent: '#eigenschappenpaneel' },
    keyboard: { bindTo: document },  // Ctrl-Z / Ctrl-Y (not while typing in a field: that undoes the typing)
    additionalModules: lib.modules,
    moddleExtensions: lib.moddle
  });
  root.werkpadModeler = modeler;  // for the browser tests (scroll an element into view)
  var moddle = modeler.get('moddle');
  var canvas = modeler.get('canvas');
  var registry = modeler.get('elementRegistry');
  var overlays = modeler.get('overlays');
  // A diagram in rows per phase draws no lanes (the roles stay in the laneSet): moving a task there must
  // not take it out of its lane, which bpmn-js would do because no lane shape contains it any more.
  modeler.get('eventBus').on('commandStack.lane.updateRefs.preExecute', 2000, function (event) {
    if (!registry.filter(function (el) { return el.type === 'bpmn:Lane'; }).length) {
      event.context.flowNodeShapes = [];
    }
  });
  var info = null;
  var current = null;
  var marked = [];
  var panel = document.getElementById('werkpad-eigenschappen');
  var fields = {
    fase: document.getElementById('ep-fase'), rol: document.getElementById('ep-rol'),
    formulier: document.getElementById('ep-formulier'), termijn: document.getElementById('ep-termijn'),
    timer: document.getElementById('ep-timer'), bericht: document.getElementById('ep-bericht')
  };

  // Every change from the Werkpad panel goes through the modeler's command stack as one
  // command ('werkpad.wijzig': a list of {target, name, value} assignments), so Ctrl-Z undoes
  // it like any change on the canvas and Ctrl-Y redoes it. Lists are replaced, never changed
  // in place, so undoing puts back the very list that was there.
  var commandStack = modeler.get('commandStack');
  function ChangeHandler() {}
  ChangeHandler.prototype.execute = function (context) {
    context.old = context.changes.map(function (c) { return c.target.get(c.name); });
    context.changes.forEach(function (c) { c.target.set(c.name, c.value); });
    return context.elements;
  };
  ChangeHandler.prototype.revert = function (context) {
    for (var i = context.changes.length - 1; i >= 0; i--) {
      context.changes[i].target.set(context.changes[i].name, context.old[i]);
    }
    return context.elements;
  };
  commandStack.registerHandler('werkpad.wijzig', ChangeHandler);

  function change(changes) {
    if (!changes.length || !current) { return; }
    var element = registry.get(current.id);
    commandStack.execute('werkpad.wijzig', { changes: changes, elements: element ? [element] : [] });
  }

  function without(list, item) { return (list || []).filter(function (x) { return x !== item; }); }

  function spiffProps(bo) {
    var ext = bo.extensionElements;
    return ext && (ext.values || []).filter(function (v) { return v.$instanceOf(SPIFF); })[0];
  }

  function getProp(bo, name) {
    var props = spiffProps(bo);
    var hit = props && props.get('properties').filter(function (p) { return p.name === name; })[0];
    return hit ? hit.value : '';
  }

  // the assignments that set (or, with an empty value, remove) one spiffworkflow:property
  function propChanges(bo, name, value) {
    var props = spiffProps(bo);
    var list = props ? props.get('properties') : [];
    var hit = list.filter(function (p) { return p.name === name; })[0];
    if (!value && !hit) { return []; }
    if (hit && hit.value === value) { return []; }
    var fresh = null;
    if (value) {
      fresh = moddle.create('spiffworkflow:Property', { name: name, value: value });
    }
    if (props) {
      var next = list.map(function (p) { return p === hit ? fresh : p; }).filter(Boolean);
      if (!hit) { next.push(fresh); }
      if (fresh) { fresh.$parent = props; }
      return [{ target: props, name: 'properties', value: next }];
    }
    var created = moddle.create(SPIFF, { properties: [fresh] });
    fresh.$parent = created;
    var ext = bo.extensionElements;
    if (ext) {
      created.$parent = ext;
      return [{ target: ext, name: 'values', value: (ext.get('values') || []).concat([created]) }];
    }
    ext = moddle.create('bpmn:ExtensionElements', { values: [created] });
    ext.$parent = bo;
    created.$parent = ext;
    return [{ target: bo, name: 'extensionElements', value: ext }];
  }

  function processOf(bo) {
    var p = bo;
    while (p && !p.$instanceOf('bpmn:Process')) { p = p.$parent; }
    return p;
  }

  function definitionsOf(bo) {
    var p = bo;
    while (p && !p.$instanceOf('bpmn:Definitions')) { p = p.$parent; }
    return p;
  }

  function lanes(process) {
    var out = [];
    (process && process.laneSets || []).forEach(function (set) { (set.lanes || []).forEach(function (l) { out.push(l); }); });
    return out;
  }

  function laneOf(bo) {
    return lanes(processOf(bo)).filter(function (l) { return (l.flowNodeRef || []).indexOf(bo) >= 0; })[0];
  }

  function roleChanges(bo, role) {
    var process = processOf(bo);
    if (!process) { return []; }
    var changes = [];
    var old = laneOf(bo);
    if (old && old.name === role) { return []; }
    if (old) { changes.push({ target: old, name: 'flowNodeRef', value: without(old.flowNodeRef, bo) }); }
    if (!role) { return changes; }
    var lane = lanes(process).filter(function (l) { return l.name === role; })[0];
    if (!lane) {
      var set = (process.laneSets || [])[0];
      if (!set) {
        set = moddle.create('bpmn:LaneSet', { id: 'LaneSet_' + process.id, lanes: [] });
        set.$parent = process;
        changes.push({ target: process, name: 'laneSets', value: [set] });
      }
      lane = moddle.create('bpmn:Lane', { id: 'Lane_' + role, name: role, flowNodeRef: [] });
      lane.$parent = set;
      changes.push({ target: set, name: 'lanes', value: (set.get('lanes') || []).concat([lane]) });
    }
    changes.push({ target: lane, name: 'flowNodeRef', value: (lane.get('flowNodeRef') || []).concat([bo]) });
    return changes;
  }

  function timerExpression(bo) {
    var def = (bo.eventDefinitions || []).filter(function (d) { return d.$instanceOf('bpmn:TimerEventDefinition'); })[0];
    if (!def) { return null; }
    return def.timeDuration || def.timeDate || def.timeCycle || null;
  }

  // where a message is named: the message event definition of a catch or throw event, or
  // the receive (or send) task itself
  function messageHolder(bo) {
    if (bo.$instanceOf('bpmn:ReceiveTask') || bo.$instanceOf('bpmn:SendTask')) { return bo; }
    return (bo.eventDefinitions || []).filter(function (d) { return d.$instanceOf('bpmn:MessageEventDefinition'); })[0] || null;
  }

  function messageChanges(bo, name) {
    var holder = messageHolder(bo);
    if (!holder) { return []; }
    if ((holder.messageRef && holder.messageRef.name || '') === name) { return []; }
    if (!name) { return [{ target: holder, name: 'messageRef', value: undefined }]; }
    var definitions = definitionsOf(bo);
    var roots = definitions.get('rootElements');
    var message = roots.filter(function (r) { return r.$instanceOf('bpmn:Message') && r.name === name; })[0];
    var changes = [];
    if (!message) {
      message = moddle.create('bpmn:Message', { id: 'Bericht_' + name, name: name });
      message.$parent = definitions;
      changes.push({ target: definitions, name: 'rootElements', value: [message].concat(roots) });
    }
    changes.push({ target: holder, name: 'messageRef', value: message });
    return changes;
  }

  // the decision a business rule task evaluates (spiffworkflow:calledDecisionId)
  function calledDecision(bo) {
    if (!bo.$instanceOf('bpmn:BusinessRuleTask') || !bo.extensionElements) { return null; }
    var found = (bo.extensionElements.values || []).filter(function (v) {
      return v.$instanceOf('spiffworkflow:CalledDecisionId');
    })[0];
    return found ? (found.value || '').trim() : null;
  }

  function isNode(bo) {
    return bo && bo.$instanceOf('bpmn:FlowNode');
  }

  function showPanel(element) {
    current = element && element.businessObject;
    if (!isNode(current)) { panel.hidden = true; current = null; return; }
    panel.hidden = false;
    document.getElementById('ep-element').textContent = current.name || '';
    fields.fase.value = getProp(current, 'fase');
    var lane = laneOf(current);
    var role = lane ? lane.name : '';
    if (role && !fields.rol.querySelector('option[value="' + CSS.escape(role) + '"]')) { option(fields.rol, role, role); }
    fields.rol.value = role;
    var isTask = current.$instanceOf('bpmn:UserTask');
    panel.querySelector('.alleen-taak').hidden = !isTask;
    fields.formulier.value = getProp(current, 'formulier');
    fields.termijn.value = getProp(current, 'termijn');
    var timer = timerExpression(current);
    panel.querySelector('.alleen-timer').hidden = !timer;
    fields.timer.value = timer ? timer.body || '' : '';
    var decision = calledDecision(current);
    var tableUrl = decision && info && info.beslistabellen ? info.beslistabellen[decision] : null;
    panel.querySelector('.alleen-beslissing').hidden = !tableUrl;
    if (tableUrl) { document.getElementById('ep-beslistabel').setAttribute('href', tableUrl); }
    var holder = messageHolder(current);
    panel.querySelector('.alleen-bericht').hidden = !holder;
    var message = holder && holder.messageRef ? holder.messageRef.name || '' : '';
    if (message && !fields.bericht.querySelector('option[value="' + CSS.escape(message) + '"]')) {
      option(fields.bericht, message, message + ' (onbekend)');  // shown as it is; the check refuses it
    }
    fields.bericht.value = message;
  }

  function readonly() { return !info || !info.bewerken; }

  fields.fase.addEventListener('change', function () { if (current) { change(propChanges(current, 'fase', fields.fase.value)); } });
  fields.formulier.addEventListener('change', function () {
    if (current) { change(propChanges(current, 'formulier', fields.formulier.value)); }
  });
  fields.termijn.addEventListener('change', function () {
    if (current) { change(propChanges(current, 'termijn', fields.termijn.value.trim())); }
  });
  fields.rol.addEventListener('change', function () { if (current) { change(roleChanges(current, fields.rol.value)); } });
  fields.timer.addEventListener('change', function () {
    var timer = current && timerExpression(current);
    if (timer && (timer.body || '') !== fields.timer.value.trim()) {
      change([{ target: timer, name: 'body', value: fields.timer.value.trim() }]);
    }
  });
  fields.bericht.addEventListener('change', function () {
    if (current) { change(messageChanges(current, fields.bericht.value)); }
  });
  // after an undo or redo the panel shows what the model now says
  modeler.on('commandStack.changed', function () {
    var selected = modeler.get('selection').get()[0];
    if (selected && current && selected.businessObject === current) { showPanel(selected); }
  });

  function showProblems(problems) {
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, 'probleem'); } });
    overlays.remove({ type: 'probleem' });
    marked = [];
    var list = document.getElementById('problemen');
    var fresh = document.createElement(problems.length ? 'ul' : 'p');
    fresh.id = 'problemen';
    fresh.className = problems.length ? 'problemen' : 'klein';
    if (!problems.length) { fresh.textContent = 'Geen problemen gevonden.'; }
    problems.forEach(function (p) {
      var li = document.createElement('li');
      li.textContent = p.message;
      if (p.element) {
        li.setAttribute('data-element', p.element);
        if (registry.get(p.element)) {
          canvas.addMarker(p.element, 'probleem');
          marked.push(p.element);
          var badge = document.createElement('div');
          badge.className = 'probleem-teken';
          badge.textContent = '!';
          badge.title = p.message;
          overlays.add(p.element, 'probleem', { position: { top: -10, right: 10 }, html: badge });
          li.addEventListener('click', function () {
            modeler.get('selection').select(registry.get(p.element));
          });
        }
      }
      fresh.appendChild(li);
    });
    list.parentNode.replaceChild(fresh, list);
  }

  function save() {
    var status = document.getElementById('bewaar-status');
    status.textContent = 'Bezig met bewaren…';
    modeler.saveXML({ format: true }).then(function (result) {
      return fetch(root.getAttribute('data-bewaar'), {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json',
          'X-CSRF-Token': root.getAttribute('data-csrf') },
        body: JSON.stringify({ bestand: info.bestand, xml: result.xml,
          toelichting: document.getElementById('toelichting').value })
      });
    }).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      // a refusal: nothing was saved; what was refused is marked where it is
      if (!res.ok) { if (res.body.problemen) { showProblems(res.body.problemen); } throw new Error(res.body.message || 'niet bewaard'); }
      showProblems(res.body.problemen);
      status.textContent = res.body.problemen.length
        ? 'Bewaard, met ' + res.body.problemen.length + (res.body.problemen.length === 1 ? ' probleem.' : ' problemen.')
        : 'Bewaard; de controles zijn in orde.';
      root.setAttribute('data-bewaard', String(Date.now()));
    }).catch(function (error) {
      status.textContent = 'Niet bewaard: ' + error.message;
    });
  }

  getJson(root.getAttribute('data-url')).then(function (data) {
    info = data;
    info.fasen.forEach(function (f) { option(fields.fase, f, f); });
    Object.keys(info.rollen).forEach(function (k) { option(fields.rol, k, info.rollen[k]); });
    info.formulieren.forEach(function (f) { option(fields.formulier, f, f); });
    Object.keys(info.berichten || {}).sort().forEach(function (b) {
      option(fields.bericht, b, b);
      fields.bericht.lastChild.title = info.berichten[b];
    });
    if (readonly()) {
      Object.keys(fields).forEach(function (k) { fields[k].disabled = true; });
    }
    document.getElementById('toelichting') && (document.getElementById('toelichting').value = info.toelichting || '');
    return window.WerkpadLayout(info.xml);
  }).then(function (xml) {
    return modeler.importXML(xml);
  }).then(function () {
    // readable from the start, the first steps right of the palette
    canvas.zoom('fit-viewport');
    var scale = Math.max(Math.min(canvas.viewbox().scale, 1), 0.7);
    canvas.zoom(scale);
    var box = canvas.viewbox();
    canvas.viewbox({ x: box.inner.x - 110 / scale, y: box.inner.y - 30 / scale, width: box.width, height: box.height });
    showProblems(info.problemen || []);
    modeler.on('selection.changed', function (e) { showPanel(e.newSelection[0]); });
    var button = document.getElementById('bewaar');
    if (button) { button.addEventListener('click', save); }
    root.classList.add('geladen');
  }).catch(function (error) {
    document.getElementById('canvas').textContent = 'Het model kan niet worden geladen (' + error.message + ').';
  });
})();
