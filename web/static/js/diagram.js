// The case page's process diagram: bpmn-js NavigatedViewer, laid out with
// bpmn-auto-layout when the process XML carries no diagram information.
// Current tasks are marked "huidig", completed ones "gedaan".
(function () {
  'use strict';
  var container = document.getElementById('diagram');
  if (!container || !window.WerkpadBpmn) {
    return;
  }
  var lib = window.WerkpadBpmn;

  function fail(text) {
    container.textContent = text;
    container.classList.add('diagram-fout');
  }

  function hasDiagram(xml) {
    return /<(?:\w+:)?BPMNDiagram[\s>]/.test(xml);
  }

  fetch(container.getAttribute('data-url'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then(function (response) {
      if (!response.ok) { throw new Error('HTTP ' + response.status); }
      return response.json();
    })
    .then(function (info) {
      if (!info.xml) { throw new Error('geen BPMN'); }
      var xmlPromise = hasDiagram(info.xml) ? Promise.resolve(info.xml) : lib.layoutProcess(info.xml);
      return xmlPromise.then(function (xml) {
        container.textContent = '';
        var viewer = new lib.NavigatedViewer({ container: container });
        return viewer.importXML(xml).then(function () {
          var canvas = viewer.get('canvas');
          var registry = viewer.get('elementRegistry');
          canvas.zoom('fit-viewport');
          (info.completed || []).forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, 'gedaan'); }
          });
          (info.current || []).forEach(function (id) {
            if (registry.get(id)) { canvas.addMarker(id, 'huidig'); }
          });
          container.setAttribute('data-huidig', (info.current || []).join(' '));
          container.setAttribute('data-gedaan', (info.completed || []).join(' '));
          container.classList.add('geladen');
        });
      });
    })
    .catch(function (error) {
      fail('Het procesdiagram kan niet worden getoond (' + error.message + ').');
    });
})();
