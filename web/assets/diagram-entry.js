// Entry for the browser bundle: the bpmn-js viewer and the automatic layout,
// exposed as one global for web/static/js/diagram.js. Built by web/assets/build.mjs.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { layoutProcess } from 'bpmn-auto-layout';

window.WerkpadBpmn = { NavigatedViewer, layoutProcess };
