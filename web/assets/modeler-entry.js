// Entry for the designer's browser bundle: the bpmn-js modeler with the bpmn.io
// properties panel and a moddle description of Werkpad's own properties
// (spiffworkflow:properties), exposed as one global for web/static/js/ontwerp.js.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import { layoutProcess } from 'bpmn-auto-layout';
// added to the properties panel at build time (web/assets/build.mjs): its own texts in the user's language
import { werkpadSetTranslate } from '@bpmn-io/properties-panel';

const spiffworkflow = {
  name: 'SpiffWorkflow',
  uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
  prefix: 'spiffworkflow',
  xml: { tagAlias: 'lowerCase' },
  types: [
    {
      name: 'Properties',
      superClass: ['Element'],
      properties: [{ name: 'properties', type: 'Property', isMany: true }],
    },
    {
      name: 'CalledDecisionId',
      superClass: ['Element'],
      properties: [{ name: 'value', type: 'String', isBody: true }],
    },
    {
      name: 'Property',
      properties: [
        { name: 'name', type: 'String', isAttr: true },
        { name: 'value', type: 'String', isAttr: true },
      ],
    },
  ],
};

window.WerkpadModeler = {
  Modeler, layoutProcess, moddle: { spiffworkflow },
  modules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule],
  setPanelTranslate: werkpadSetTranslate,
};
