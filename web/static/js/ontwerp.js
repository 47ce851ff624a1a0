// The process designer's pages: the bpmn-js modeler with the bpmn.io properties
// panel and Werkpad's own properties (fase, rol, formulier, termijn, timer, bericht), saving
// the draft and marking the problems the server found on the diagram; and the
// read-only diagrams of the difference and dry-run pages.
(function () {
  'use strict';
  var SPIFF = 'spiffworkflow:Properties';
  // texts in the user's language (web/i18n.py DESIGNER_TEXTS and BPMN_WORDS, handed over by the page); as
  // they are when absent
  var texts = {};
  try { texts = JSON.parse(document.getElementById('werkpad-teksten').textContent); } catch (e) { texts = {}; }
  function t(text, values) {
    var out = Object.prototype.hasOwnProperty.call(texts, text) ? texts[text] : text;
    return out.replace(/{(\w+)}/g, function (m, key) { return values && key in values ? String(values[key]) : m; });
  }

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
  // The difference page's two versions and the dry run's path, laid out, named (lanes by their
  // role, phase groups by their phase) and zoomable as the case page's diagram (diagram.js).
  // ``path``: the dry run's steps in order, shown from the last one when the whole process is too
  // large to read; the difference page shows its first change instead.
  function showDiagram(container, marks, path) {
    var shared = window.WerkpadDiagram;
    var names = {};
    return getJson(container.getAttribute('data-url')).then(function (info) {
      names = info;
      return window.WerkpadLayout(info.xml);
    }).then(function (xml) {
      var viewer = new window.WerkpadBpmn.NavigatedViewer({ container: container });
      return viewer.importXML(shared.withNames(xml, names.rollen, names.fasen)).then(function () {
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
        if (path) {
          // a check mark beside every step walked: a process coloured per role may use the path's green
          shared.standBadges(viewer.get('overlays'), registry, { completed: path });
          shared.showFocus(canvas, registry, { completed: path });
        } else if (focus && canvas.zoom() < 0.45) {  // a long process: show the first change readably
          canvas.zoom(0.8);
          var box = canvas.viewbox();
          canvas.viewbox({ x: focus.x + focus.width / 2 - box.width / 2, y: focus.y + focus.height / 2 - box.height / 2,
            width: box.width, height: box.height });
        }
        shared.controls(canvas, null, container);
        container.classList.add('geladen');
      });
    }).catch(function (error) {
      container.textContent = t('Het diagram kan niet worden getoond') + ' (' + error.message + ').';
      container.classList.add('diagram-fout');
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.diagram.vergelijk'), function (el) {
    showDiagram(el, JSON.parse(el.getAttribute('data-markeringen') || '{}'), null);
  });
  Array.prototype.forEach.call(document.querySelectorAll('.diagram.proefrit'), function (el) {
    var marks = {};
    var path = JSON.parse(el.getAttribute('data-pad') || '[]');
    path.forEach(function (id) { marks[id] = 'gedaan'; });
    var timers = JSON.parse(el.getAttribute('data-timers') || '[]');
    timers.forEach(function (id) { marks[id] = 'timer'; });
    // every step walked once (a loop walks some again), the fired timers too; the path's last step
    // stays last (shown first)
    var walked = timers.concat(path).filter(function (id, i, all) { return all.lastIndexOf(id) === i; });
    showDiagram(el, marks, walked);
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
    root.textContent = t('De modeler ontbreekt op de server (voer npm ci uit).');
    return;
  }
  var lib = window.WerkpadModeler;
  // bpmn-js and its properties panel ask their 'translate' service for every text by its English
  // text; the page hands those over in the user's language (web/i18n.py BPMN_WORDS). A text not
  // there stays English and is noted in root.werkpadOnvertaald (the browser tests read it).
  // The properties panel's own texts go through the same function (set at build time, build.mjs).
  var untranslated = [];
  function translate(template, replacements) {
    if (!Object.prototype.hasOwnProperty.call(texts, template) && untranslated.indexOf(template) < 0) {
      untranslated.push(template);
    }
    return t(template).replace(/{([^}]+)}/g, function (_m, key) {
      return replacements && key in replacements ? replacements[key] : '{' + key + '}';
    });
  }
  root.werkpadOnvertaald = untranslated;
  if (lib.setPanelTranslate) { lib.setPanelTranslate(translate); }
  var translated = { translate: ['value', translate] };
  // A lane is named after a role's key (integraal_intaker) and a phase group after a phase's key
  // (diagnose): the model keeps the keys, the canvas draws their names (Integraal intaker, Diagnose)
  // as the case page does. The name is lent to the element only while it is drawn, outside the
  // command stack, so nothing of it reaches the saved model or the undo history.
  function drawnName(element) {
    var bo = element.businessObject;
    if (!info || !bo) { return null; }
    if (element.type === 'bpmn:Lane' && bo.name && info.rollen[bo.name]) {
      return { target: bo, name: 'name', value: info.rollen[bo.name] };
    }
    var group = element.labelTarget && element.labelTarget.businessObject;
    var value = group && group.$instanceOf && group.$instanceOf('bpmn:Group') && group.categoryValueRef;
    var names = info.fasenamen || {};
    var key = value && value.value && (names[value.value] ? value.value : value.value.toLowerCase());
    if (key && names[key]) { return { target: value, name: 'value', value: names[key] }; }
    return null;
  }
  function LaneNames(eventBus, bpmnRenderer) {
    eventBus.on('render.shape', 1500, function (_event, context) {
      var lent = drawnName(context.element);
      if (!lent) { return; }  // drawn as bpmn-js draws it
      var own = lent.target[lent.name];
      lent.target[lent.name] = lent.value;
      try { return bpmnRenderer.drawShape(context.gfx, context.element); } finally { lent.target[lent.name] = own; }
    });
  }
  LaneNames.$inject = ['eventBus', 'bpmnRenderer'];
  var laneNames = { __init__: ['werkpadLaneNames'], werkpadLaneNames: ['type', LaneNames] };
  var modeler = new lib.Modeler({
    container: '#canvas',
    propertiesPanel: { parent: '#eigenschappenpaneel' },
    keyboard: { bindTo: document },  // Ctrl-Z / Ctrl-Y (not while typing in a field: that undoes the typing)
    additionalModules: lib.modules.concat([translated, laneNames]),
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

  // ------------------------------------------------------------------ rows per phase: lanes kept in the model
  // A process drawn in rows per phase has no lane shapes, so bpmn-js puts a new task in no lane and
  // leaves a deleted one in its lane's list. Here a new flow node gets the role of the nearest task in
  // its phase row (the bpmn:Group it is dropped in; else the nearest task anywhere) and, when it is a
  // task without a phase, the phase of that row; a replaced element (e.g. Task -> User task) keeps the
  // role of the one it replaces; a deleted one leaves its lane. Each change is part of the command that
  // caused it, so Ctrl-Z undoes both at once.
  function rowMode() {
    return !registry.filter(function (el) { return el.type === 'bpmn:Lane'; }).length &&
      lanes(processOf(canvas.getRootElement().businessObject)).length > 0;
  }

  function needsLane(shape) {
    var bo = shape && shape.businessObject;
    return !!bo && !shape.waypoints && shape.type !== 'label' && isNode(bo) &&
      !bo.$instanceOf('bpmn:BoundaryEvent') && !bo.$instanceOf('bpmn:SubProcess') &&
      !!bo.$parent && bo.$parent.$instanceOf('bpmn:Process');
  }

  function centre(el) { return { x: el.x + el.width / 2, y: el.y + el.height / 2 }; }

  function within(group, el) {
    var c = centre(el);
    return c.x >= group.x && c.x <= group.x + group.width && c.y >= group.y && c.y <= group.y + group.height;
  }

  function phaseRow(shape) {
    return registry.filter(function (el) { return el.type === 'bpmn:Group' && within(el, shape); })[0] || null;
  }

  function nearestRole(shape, row) {
    var here = centre(shape);
    var best = null;
    registry.forEach(function (el) {
      if (el === shape || !needsLane(el) || (row && !within(row, el))) { return; }
      var lane = laneOf(el.businessObject);
      if (!lane) { return; }
      var c = centre(el);
      // a task says more about who works in this part of the row than a gateway or an event
      var d = Math.sqrt(Math.pow(c.x - here.x, 2) + Math.pow(c.y - here.y, 2)) *
        (el.businessObject.$instanceOf('bpmn:Activity') ? 1 : 2);
      if (!best || d < best.d) { best = { d: d, role: lane.name }; }
    });
    return best ? best.role : (row ? nearestRole(shape, null) : '');
  }

  function placeInRow(shape, role) {
    var bo = shape.businessObject;
    var changes = laneOf(bo) ? [] : roleChanges(bo, role);
    var row = phaseRow(shape);
    var value = row && row.businessObject.categoryValueRef && row.businessObject.categoryValueRef.value;
    // the layout names a phase group as people see the phase ("Diagnose"); the key is "diagnose"
    value = value && info && info.fasen.indexOf(value) < 0 ? value.toLowerCase() : value;
    if (bo.$instanceOf('bpmn:Activity') && value && !getProp(bo, 'fase') && info && info.fasen.indexOf(value) >= 0) {
      changes = changes.concat(propChanges(bo, 'fase', value));
    }
    if (changes.length) { commandStack.execute('werkpad.wijzig', { changes: changes, elements: [shape] }); }
  }

  // the colours of a role's tasks in this diagram (rows per phase colour tasks per role), from any other
  // element of that lane that has them
  function roleColour(lane, except) {
    var found = null;
    (lane.flowNodeRef || []).forEach(function (node) {
      var el = registry.get(node.id);
      if (found || !el || el === except || !el.di || !el.di.get) { return; }
      var fill = el.di.get('color:background-color') || el.di.get('bioc:fill');
      var stroke = el.di.get('color:border-color') || el.di.get('bioc:stroke');
      if (fill && stroke) { found = { fill: fill, stroke: stroke }; }
    });
    return found;
  }

  // a node whose role changed (from the panel, or given one here) takes its role's colour, in the same step
  modeler.on('commandStack.werkpad.wijzig.postExecute', function (event) {
    if (!rowMode()) { return; }
    (event.context.elements || []).forEach(function (el) {
      var lane = needsLane(el) && laneOf(el.businessObject);
      var colour = lane && roleColour(lane, el);
      if (colour && (el.di.get('color:background-color') || el.di.get('bioc:fill')) !== colour.fill) {
        modeler.get('modeling').setColor([el], colour);
      }
    });
  });

  var replacing = [];
  modeler.on('commandStack.shape.replace.preExecute', function (event) {
    var old = event.context.oldShape;
    var lane = old && old.businessObject && laneOf(old.businessObject);
    replacing.push(lane ? lane.name : null);
  });
  modeler.on('commandStack.shape.replace.postExecute', function (event) {
    var role = replacing.pop();
    var shape = event.context.newShape;
    if (!rowMode() || !needsLane(shape)) { return; }
    placeInRow(shape, role || nearestRole(shape, phaseRow(shape)));
  });
  modeler.on('commandStack.shape.create.postExecute', function (event) {
    var shape = event.context.shape;
    if (replacing.length || !rowMode() || !needsLane(shape)) { return; }  // a replacement: handled above
    placeInRow(shape, nearestRole(shape, phaseRow(shape)));
  });
  modeler.on('commandStack.shape.delete.preExecute', function (event) {
    var bo = event.context.shape && event.context.shape.businessObject;
    event.context.werkpadLaan = bo && isNode(bo) && rowMode() ? laneOf(bo) : null;
  });
  modeler.on('commandStack.shape.delete.postExecute', function (event) {
    var bo = event.context.shape.businessObject;
    var lane = event.context.werkpadLaan;
    if (lane && (lane.flowNodeRef || []).indexOf(bo) >= 0) {
      commandStack.execute('werkpad.wijzig', { changes: [{ target: lane, name: 'flowNodeRef', value: without(lane.flowNodeRef, bo) }],
        elements: [] });
    }
  });

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
    var phase = getProp(current, 'fase');
    if (phase && !fields.fase.querySelector('option[value="' + CSS.escape(phase) + '"]')) {
      option(fields.fase, phase, phase + ' (' + t('onbekend') + ')');  // shown as it is; the check refuses it
    }
    fields.fase.value = phase;
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
      option(fields.bericht, message, message + ' (' + t('onbekend') + ')');  // shown as it is; the check refuses it
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
    if (!problems.length) { fresh.textContent = t('Geen problemen gevonden.'); }
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
    status.textContent = t('Bezig met bewaren…');
    modeler.saveXML({ format: true }).then(function (result) {
      return fetch(root.getAttribute('data-bewaar'), {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json',
          'X-CSRF-Token': root.getAttribute('data-csrf') },
        body: JSON.stringify({ bestand: info.bestand, xml: result.xml,
          toelichting: document.getElementById('toelichting').value })
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
      var count = res.body.problemen.length;
      status.textContent = !count ? t('Bewaard; de controles zijn in orde.')
        : count === 1 ? t('Bewaard, met 1 probleem.') : t('Bewaard, met {n} problemen.', { n: count });
      root.setAttribute('data-bewaard', String(Date.now()));
    }).catch(function (error) {
      status.textContent = t('Niet bewaard: {reden}', { reden: error.message });
    });
  }

  getJson(root.getAttribute('data-url')).then(function (data) {
    info = data;
    // the phase by its name; the key is what the model stores
    info.fasen.forEach(function (f) { option(fields.fase, f, (info.fasenamen || {})[f] || f); });
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
    document.getElementById('canvas').textContent = t('Het model kan niet worden geladen') + ' (' + error.message + ').';
  });
})();
