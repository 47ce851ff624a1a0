// The process designer's pages: the bpmn-js modeler with the bpmn.io properties
// panel and Werkpad's own properties (fase, rol, formulier, termijn, timer), saving
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
    additionalModules: lib.modules,
    moddleExtensions: lib.moddle
  });
  var moddle = modeler.get('moddle');
  var canvas = modeler.get('canvas');
  var registry = modeler.get('elementRegistry');
  var overlays = modeler.get('overlays');
  var info = null;
  var current = null;
  var marked = [];
  var panel = document.getElementById('werkpad-eigenschappen');
  var fields = {
    fase: document.getElementById('ep-fase'), rol: document.getElementById('ep-rol'),
    formulier: document.getElementById('ep-formulier'), termijn: document.getElementById('ep-termijn'),
    timer: document.getElementById('ep-timer')
  };

  // spiffworkflow:properties of a business object, created on demand
  function propsOf(bo, create) {
    var ext = bo.extensionElements;
    var found = ext && (ext.values || []).filter(function (v) { return v.$instanceOf(SPIFF); })[0];
    if (!found && create) {
      if (!ext) {
        ext = moddle.create('bpmn:ExtensionElements', { values: [] });
        ext.$parent = bo;
        bo.extensionElements = ext;
      }
      found = moddle.create(SPIFF, { properties: [] });
      found.$parent = ext;
      ext.get('values').push(found);
    }
    return found;
  }

  function getProp(bo, name) {
    var props = propsOf(bo, false);
    var hit = props && props.get('properties').filter(function (p) { return p.name === name; })[0];
    return hit ? hit.value : '';
  }

  function setProp(bo, name, value) {
    var props = propsOf(bo, Boolean(value));
    if (!props) { return; }
    var list = props.get('properties');
    var hit = list.filter(function (p) { return p.name === name; })[0];
    if (!value) {
      if (hit) { list.splice(list.indexOf(hit), 1); }
      return;
    }
    if (!hit) {
      hit = moddle.create('spiffworkflow:Property', { name: name, value: value });
      hit.$parent = props;
      list.push(hit);
    } else {
      hit.value = value;
    }
  }

  function processOf(bo) {
    var p = bo;
    while (p && !p.$instanceOf('bpmn:Process')) { p = p.$parent; }
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

  function setRole(bo, role) {
    var process = processOf(bo);
    if (!process) { return; }
    var old = laneOf(bo);
    if (old) { old.flowNodeRef.splice(old.flowNodeRef.indexOf(bo), 1); }
    if (!role) { return; }
    var lane = lanes(process).filter(function (l) { return l.name === role; })[0];
    if (!lane) {
      if (!process.laneSets || !process.laneSets.length) {
        var set = moddle.create('bpmn:LaneSet', { id: 'LaneSet_' + process.id, lanes: [] });
        set.$parent = process;
        process.laneSets = [set];
      }
      lane = moddle.create('bpmn:Lane', { id: 'Lane_' + role, name: role, flowNodeRef: [] });
      lane.$parent = process.laneSets[0];
      process.laneSets[0].get('lanes').push(lane);
    }
    lane.get('flowNodeRef').push(bo);
  }

  function timerExpression(bo) {
    var def = (bo.eventDefinitions || []).filter(function (d) { return d.$instanceOf('bpmn:TimerEventDefinition'); })[0];
    if (!def) { return null; }
    return def.timeDuration || def.timeDate || def.timeCycle || null;
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
  }

  function readonly() { return !info || !info.bewerken; }

  fields.fase.addEventListener('change', function () { if (current) { setProp(current, 'fase', fields.fase.value); } });
  fields.formulier.addEventListener('change', function () {
    if (current) { setProp(current, 'formulier', fields.formulier.value); }
  });
  fields.termijn.addEventListener('change', function () {
    if (current) { setProp(current, 'termijn', fields.termijn.value.trim()); }
  });
  fields.rol.addEventListener('change', function () { if (current) { setRole(current, fields.rol.value); } });
  fields.timer.addEventListener('change', function () {
    var timer = current && timerExpression(current);
    if (timer) { timer.body = fields.timer.value.trim(); }
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
      if (!res.ok) { throw new Error(res.body.message || 'niet bewaard'); }
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
