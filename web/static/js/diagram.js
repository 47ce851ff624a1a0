// The case page's process diagram: bpmn-js NavigatedViewer, laid out with
// bpmn-auto-layout when the process XML carries no diagram information, and
// with a simple layered layout of our own when bpmn-auto-layout gives up.
// Current steps are marked "huidig" (with a sign "nu"), completed ones "gedaan" (a check mark).
(function () {
  'use strict';
  var BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
  var MIN_SCALE = 0.6;  // below this the names in the shapes are no longer readable
  var MAX_SCALE = 1.0;
  var PADDING = 60;
  // UI texts in the user's language (base.html, web/i18n.py SCRIPT_TEXTS); Dutch when absent.
  var texts = {};
  try { texts = JSON.parse(document.getElementById('werkpad-teksten').textContent); } catch (e) { texts = {}; }
  function t(text) { return texts[text] || text; }
  // The designer's pages (difference, dry run; web/static/js/ontwerp.js) lay out, name, focus and
  // zoom their read-only diagrams the same way.
  window.WerkpadLayout = function (xml) { return laidOut(xml); };
  window.WerkpadDiagram = { withNames: withNames, showFocus: showFocus, controls: controls, standBadges: standBadges };
  var container = document.getElementById('diagram');
  if (!container) {
    return;
  }
  if (!window.WerkpadBpmn) {
    container.textContent = t('De diagramviewer ontbreekt op de server (voer npm ci uit).');
    container.classList.add('diagram-fout');
    return;
  }
  var lib = window.WerkpadBpmn;
  var NOT_NODES = ['sequenceFlow', 'laneSet', 'extensionElements', 'documentation', 'textAnnotation',
    'association', 'dataObject', 'dataObjectReference', 'dataStoreReference', 'ioSpecification'];

  function fail(text) {
    container.textContent = text;
    container.classList.add('diagram-fout');
  }

  function hasDiagram(xml) {
    return /<(?:\w+:)?BPMNDiagram[\s>]/.test(xml);
  }

  function size(node) {
    var name = node.localName;
    if (/Event$/.test(name)) { return [36, 36]; }
    if (/Gateway$/.test(name)) { return [50, 50]; }
    return [100, 80];
  }

  // Layered layout: a node's column is the longest path to it from a start (back edges
  // of loops ignored); nodes of one column stack downwards; boundary events sit on the
  // lower edge of their task.
  function simpleLayout(xml) {
    var doc = new DOMParser().parseFromString(xml, 'application/xml');
    var process = doc.getElementsByTagNameNS(BPMN, 'process')[0];
    if (!process) { throw new Error('geen proces'); }
    var children = Array.prototype.filter.call(process.children, function (el) { return el.namespaceURI === BPMN; });
    var nodes = children.filter(function (el) { return NOT_NODES.indexOf(el.localName) < 0; });
    var flows = children.filter(function (el) { return el.localName === 'sequenceFlow'; });
    var byId = {};
    nodes.forEach(function (n) { byId[n.getAttribute('id')] = n; });
    var out = {};
    nodes.forEach(function (n) { out[n.getAttribute('id')] = []; });
    flows.forEach(function (f) {
      var s = f.getAttribute('sourceRef');
      var t = f.getAttribute('targetRef');
      if (out[s] && byId[t]) { out[s].push(t); }
    });
    var host = {};
    nodes.forEach(function (n) {
      if (n.localName === 'boundaryEvent') { host[n.getAttribute('id')] = n.getAttribute('attachedToRef'); }
    });
    // boundary events continue from their host's column
    Object.keys(host).forEach(function (b) { if (out[host[b]]) { out[host[b]].push(b); } });
    var incoming = {};
    Object.keys(out).forEach(function (s) { out[s].forEach(function (t) { incoming[t] = (incoming[t] || 0) + 1; }); });
    var roots = nodes.map(function (n) { return n.getAttribute('id'); }).filter(function (id) {
      return !incoming[id] && !host[id];
    });
    var state = {};
    var back = {};
    var order = [];
    function visit(id) {
      state[id] = 1;
      out[id].forEach(function (t) {
        if (state[t] === 1) { back[id + '>' + t] = true; } else if (!state[t]) { visit(t); }
      });
      state[id] = 2;
      order.push(id);
    }
    roots.forEach(function (r) { if (!state[r]) { visit(r); } });
    nodes.forEach(function (n) { var id = n.getAttribute('id'); if (!state[id]) { visit(id); } });
    order.reverse();
    var col = {};
    order.forEach(function (id) {
      if (col[id] === undefined) { col[id] = 0; }
      out[id].forEach(function (t) {
        if (back[id + '>' + t]) { return; }
        var step = host[t] === id ? 0 : 1;
        col[t] = Math.max(col[t] === undefined ? 0 : col[t], col[id] + step);
      });
    });
    var rows = {};
    var pos = {};
    order.forEach(function (id) {
      if (host[id]) { return; }
      var c = col[id];
      rows[c] = (rows[c] || 0);
      var wh = size(byId[id]);
      pos[id] = { x: 40 + c * 170 + (100 - wh[0]) / 2, y: 40 + rows[c] * 130 + (80 - wh[1]) / 2, w: wh[0], h: wh[1] };
      rows[c] += 1;
    });
    var offset = {};
    Object.keys(host).forEach(function (b) {
      var h = pos[host[b]];
      if (!h) { pos[b] = { x: 0, y: 0, w: 36, h: 36 }; return; }
      var k = offset[host[b]] = (offset[host[b]] || 0) + 1;
      pos[b] = { x: h.x + h.w - 18 - (k - 1) * 40, y: h.y + h.h - 18, w: 36, h: 36 };
    });
    var parts = [];
    nodes.forEach(function (n) {
      var id = n.getAttribute('id');
      var p = pos[id];
      var expanded = n.localName === 'subProcess' ? ' isExpanded="false"' : '';
      parts.push('<bpmndi:BPMNShape id="' + id + '_di" bpmnElement="' + id + '"' + expanded + '>' +
        '<dc:Bounds x="' + p.x + '" y="' + p.y + '" width="' + p.w + '" height="' + p.h + '"/></bpmndi:BPMNShape>');
    });
    flows.forEach(function (f) {
      var a = pos[f.getAttribute('sourceRef')];
      var b = pos[f.getAttribute('targetRef')];
      if (!a || !b) { return; }
      var sx = a.x + a.w, sy = a.y + a.h / 2, tx = b.x, ty = b.y + b.h / 2;
      var points = [[sx, sy]];
      if (tx <= sx) {  // a loop back: under the shapes
        var low = Math.max(a.y + a.h, b.y + b.h) + 25;
        points = [[a.x + a.w / 2, a.y + a.h], [a.x + a.w / 2, low], [b.x + b.w / 2, low], [b.x + b.w / 2, b.y + b.h]];
      } else if (sy !== ty) {
        var mid = tx - 20;
        points.push([mid, sy], [mid, ty], [tx, ty]);
      } else {
        points.push([tx, ty]);
      }
      parts.push('<bpmndi:BPMNEdge id="' + f.getAttribute('id') + '_di" bpmnElement="' + f.getAttribute('id') + '">' +
        points.map(function (pt) { return '<di:waypoint x="' + pt[0] + '" y="' + pt[1] + '"/>'; }).join('') +
        '</bpmndi:BPMNEdge>');
    });
    var diagram = '<bpmndi:BPMNDiagram id="werkpad_diagram"><bpmndi:BPMNPlane id="werkpad_plane" bpmnElement="' +
      process.getAttribute('id') + '">' + parts.join('') + '</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>';
    var root = new XMLSerializer().serializeToString(doc.documentElement);
    var closing = root.lastIndexOf('</');
    var namespaces = ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"' +
      ' xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"';
    root = root.replace(/^<([\w:]+)/, function (m) { return m + namespaces; });
    closing = root.lastIndexOf('</');
    return root.slice(0, closing) + diagram + root.slice(closing);
  }

  function laidOut(xml) {
    if (hasDiagram(xml)) { return Promise.resolve(xml); }
    return window.WerkpadBpmn.layoutProcess(xml).catch(function () { return simpleLayout(xml); });
  }

  // The bounding box (diagram coordinates) of the elements with these ids.
  function boxOf(registry, ids) {
    var box = null;
    ids.forEach(function (id) {
      var el = registry.get(id);
      if (!el || el.waypoints || el.width === undefined) { return; }
      var b = { x1: el.x, y1: el.y, x2: el.x + el.width, y2: el.y + el.height };
      box = box ? { x1: Math.min(box.x1, b.x1), y1: Math.min(box.y1, b.y1),
        x2: Math.max(box.x2, b.x2), y2: Math.max(box.y2, b.y2) } : b;
    });
    return box;
  }

  // Put a box in the middle of the visible area at a readable scale.
  function centre(canvas, box) {
    var size = canvas.getSize();
    var w = box.x2 - box.x1 + 2 * PADDING;
    var h = box.y2 - box.y1 + 2 * PADDING;
    var scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, size.width / w, size.height / h));
    var vw = size.width / scale;
    var vh = size.height / scale;
    canvas.viewbox({ x: (box.x1 + box.x2) / 2 - vw / 2, y: (box.y1 + box.y2) / 2 - vh / 2, width: vw, height: vh });
    return scale;
  }

  // The current step(s) in view: the whole process when it fits readably, else the current
  // steps (or, when they lie too far apart, the first one); with no open task, the last step taken.
  function showFocus(canvas, registry, info) {
    var current = (info.current || []).filter(function (id) { return registry.get(id); });
    var done = (info.completed || []).filter(function (id) { return registry.get(id); });
    canvas.zoom('fit-viewport');
    if (canvas.zoom() >= MIN_SCALE) { return; }
    var ids = current.length ? current : done.slice(-1);
    var box = boxOf(registry, ids);
    if (!box) { return; }
    var size = canvas.getSize();
    var fits = (box.x2 - box.x1 + 2 * PADDING) * MIN_SCALE <= size.width &&
      (box.y2 - box.y1 + 2 * PADDING) * MIN_SCALE <= size.height;
    centre(canvas, fits ? box : boxOf(registry, ids.slice(0, 1)));
  }

  // Zoom and pan buttons above ``where`` (the case page's diagram when not given); the mouse wheel
  // zooms, dragging pans. ``focus`` (a button "Huidige stap") is left out when not given.
  function controls(canvas, focus, where) {
    var box = where || container;
    var bar = document.createElement('div');
    bar.className = 'diagram-knoppen';
    [['+', t('Inzoomen'), function () { canvas.zoom(canvas.zoom() * 1.25); }],
      ['\u2212', t('Uitzoomen'), function () { canvas.zoom(canvas.zoom() / 1.25); }],
      [t('Huidige stap'), t('Toon de huidige stap'), focus],
      [t('Hele proces'), t('Toon het hele proces'), function () { canvas.zoom('fit-viewport'); }]
    ].filter(function (spec) { return spec[2]; }).forEach(function (spec) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'utrecht-button utrecht-button--secondary-action werkpad-knop-klein';
      button.textContent = spec[0];
      button.title = spec[1];
      button.setAttribute('aria-label', spec[1]);
      button.addEventListener('click', spec[2]);
      bar.appendChild(button);
    });
    var pan = [['\u2190', t('Naar links'), -1, 0], ['\u2192', t('Naar rechts'), 1, 0], ['\u2191', t('Omhoog'), 0, -1],
      ['\u2193', t('Omlaag'), 0, 1]];
    pan.forEach(function (spec) {
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'utrecht-button utrecht-button--secondary-action werkpad-knop-klein';
      button.textContent = spec[0];
      button.title = spec[1];
      button.setAttribute('aria-label', spec[1]);
      button.addEventListener('click', function () { canvas.scroll({ dx: -spec[2] * 150, dy: -spec[3] * 150 }); });
      bar.appendChild(button);
    });
    box.parentNode.insertBefore(bar, box);
    // plain mouse wheel zooms inside the diagram (the page scrolls outside it)
    box.addEventListener('wheel', function (event) {
      if (event.ctrlKey) { return; }  // bpmn-js zooms itself
      event.preventDefault();
      event.stopPropagation();
      var rect = box.getBoundingClientRect();
      var factor = event.deltaY < 0 ? 1.15 : 1 / 1.15;
      canvas.zoom(canvas.zoom() * factor, { x: event.clientX - rect.left, y: event.clientY - rect.top });
    }, { capture: true, passive: false });
  }

  // Lanes are named after a role's key (inkomensconsulent) and phase groups after a phase's key
  // (traject): on the case page they are drawn with their names (Inkomensconsulent, Traject) from
  // the diagram's JSON. Only the copy shown here changes; keyOf remembers the key behind a name.
  var keyOf = {};
  function withNames(xml, roles, phases) {
    keyOf = {};
    if (!roles && !phases) { return xml; }
    var doc = new DOMParser().parseFromString(xml, 'application/xml');
    if (doc.getElementsByTagName('parsererror').length) { return xml; }
    var changed = false;
    Array.prototype.forEach.call(doc.getElementsByTagNameNS(BPMN, 'lane'), function (lane) {
      var key = lane.getAttribute('name');
      if (key && roles && roles[key]) {
        lane.setAttribute('name', roles[key]);
        keyOf[roles[key]] = key;
        changed = true;
      }
    });
    Array.prototype.forEach.call(doc.getElementsByTagNameNS(BPMN, 'categoryValue'), function (value) {
      var key = value.getAttribute('value');
      // the layout names a phase group as people see the phase ("Diagnose"); the key is "diagnose"
      if (key && phases && !phases[key]) { key = key.toLowerCase(); }
      if (key && phases && phases[key]) { value.setAttribute('value', phases[key]); changed = true; }
    });
    return changed ? new XMLSerializer().serializeToString(doc) : xml;
  }

  // A process drawn in rows per phase colours its tasks per role (the colour attributes of the
  // diagram); the legend below the diagram names those roles with their colours, in lane order,
  // as the generated docs do. Hidden for a diagram without role colours.
  var SVG = 'http://www.w3.org/2000/svg';
  function roleLegend(canvas, registry, names) {
    var legend = document.getElementById('diagram-rollen');
    if (!legend) { return; }
    legend.textContent = '';
    var root = canvas.getRootElement().businessObject;
    var order = [];
    var laneOf = {};
    ((root && root.laneSets) || []).forEach(function (set) {
      (set.lanes || []).forEach(function (lane) {
        var role = keyOf[lane.name] || lane.name || lane.id;
        order.push(role);
        (lane.flowNodeRef || []).forEach(function (node) { laneOf[node.id] = role; });
      });
    });
    var colours = {};
    registry.forEach(function (el) {
      var di = el.di;
      var role = el.businessObject && laneOf[el.businessObject.id];
      if (!role || !di || !di.get || el.waypoints || el.type === 'label' || colours[role]) { return; }
      var fill = di.get('color:background-color') || di.get('bioc:fill');
      var stroke = di.get('color:border-color') || di.get('bioc:stroke');
      if (fill && stroke) { colours[role] = [fill, stroke]; }
    });
    var shown = order.filter(function (role, i) { return colours[role] && order.indexOf(role) === i; });
    legend.hidden = !shown.length;
    if (!shown.length) { return; }
    legend.appendChild(document.createTextNode(t('Rollen (kleur van de taak):') + ' '));
    shown.forEach(function (role) {
      var item = document.createElement('span');
      item.className = 'rol';
      item.setAttribute('data-rol', role);
      var swatch = document.createElementNS(SVG, 'svg');
      swatch.setAttribute('width', '26');
      swatch.setAttribute('height', '16');
      swatch.setAttribute('viewBox', '0 0 26 16');
      swatch.setAttribute('aria-hidden', 'true');
      var rect = document.createElementNS(SVG, 'rect');
      [['x', '1'], ['y', '1'], ['width', '24'], ['height', '14'], ['rx', '4'], ['fill', colours[role][0]],
        ['stroke', colours[role][1]], ['stroke-width', '1.5']].forEach(function (a) { rect.setAttribute(a[0], a[1]); });
      swatch.appendChild(rect);
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(' ' + ((names || {})[role] ||
        role.charAt(0).toUpperCase() + role.slice(1).replace(/_/g, ' '))));
      legend.appendChild(item);
    });
  }

  // Where the case stands, in a sign beside the step: a process designer colours tasks per role
  // with any colour (Werk.Kom's regisseur is green, its jobcoach yellow), so the fill alone cannot
  // say "done" or "now". A current step (an open task, or the timer the case waits at) gets "nu",
  // a completed one a check mark; the legend under the diagram shows the same signs.
  function standBadges(overlays, registry, model) {
    overlays.remove({ type: 'stand' });
    var now = {};
    (model.current || []).forEach(function (id) {
      if (!registry.get(id)) { return; }
      now[id] = true;
      var sign = document.createElement('span');
      sign.className = 'stand-teken huidig-teken';
      sign.textContent = t('nu');
      sign.title = t('huidige stap');
      overlays.add(id, 'stand', { position: { top: -10, left: -8 }, html: sign });
    });
    (model.completed || []).forEach(function (id) {
      if (!registry.get(id) || now[id]) { return; }
      var sign = document.createElement('span');
      sign.className = 'stand-teken gedaan-teken';
      sign.textContent = '\u2713';
      sign.title = t('afgerond');
      overlays.add(id, 'stand', { position: { top: -9, right: 9 }, html: sign });
    });
  }

  fetch(container.getAttribute('data-url'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (response) {
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return response.json();
    })
    .then(function (info) {
      if (!info.xml) { throw new Error('geen BPMN'); }
      container.textContent = '';
      var viewer = new lib.NavigatedViewer({ container: container });
      var canvas = viewer.get('canvas');
      var registry = viewer.get('elementRegistry');
      var shown = info;
      var back = document.createElement('button');
      back.type = 'button';
      back.className = 'utrecht-button utrecht-button--secondary-action werkpad-knop-klein diagram-terug';
      back.textContent = '\u2190 ' + t('Terug naar het hoofdproces');
      back.hidden = true;
      // One model on the canvas at a time: the case's process, or a called (shared) process opened
      // by clicking its call activity; each with the case's current and completed steps marked.
      function show(model, isCalled) {
        return laidOut(model.xml).then(function (xml) {
          return viewer.importXML(withNames(xml, info.rollen, info.fasen));
        }).then(function () {
          shown = model;
          (model.completed || []).forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, 'gedaan'); }
          });
          (model.current || []).forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, 'huidig'); }
          });
          standBadges(viewer.get('overlays'), registry, model);
          if (!isCalled) {
            Object.keys(info.calls || {}).forEach(function (id) {
              if (registry.get(id)) { canvas.addMarker(id, 'opent'); }
            });
          }
          back.hidden = !isCalled;
          roleLegend(canvas, registry, info.rollen);
          showFocus(canvas, registry, model);
          container.setAttribute('data-huidig', (model.current || []).join(' '));
          container.setAttribute('data-gedaan', (model.completed || []).join(' '));
          container.setAttribute('data-model', isCalled ? 'aangeroepen' : 'hoofdproces');
        });
      }
      viewer.get('eventBus').on('element.click', function (event) {
        var called = shown === info && (info.calls || {})[event.element.id];
        if (called && info.called && info.called[called]) {
          show(info.called[called], true).catch(function (error) { fail(error.message); });
        }
      });
      back.addEventListener('click', function () {
        show(info, false).catch(function (error) { fail(error.message); });
      });
      return show(info, false).then(function () {
        controls(canvas, function () { showFocus(canvas, registry, shown); });
        var bar = document.querySelector('.diagram-knoppen');
        back.title = t('Terug naar het hoofdproces');
        if (bar) { bar.parentNode.insertBefore(back, bar.nextSibling); } else { container.parentNode.insertBefore(back, container); }
        container.classList.add('geladen');
      });
    })
    .catch(function (error) {
      fail(t('Het procesdiagram kan niet worden getoond') + ' (' + error.message + ').');
    });
})();
