// Entry for the decision-table editor bundle: dmn-js's decision-table editor on its own
// (no DRD or literal-expression views: Werkpad's DMN files are decision tables), exposed
// as one global for web/static/js/beslistabel.js. Built by web/assets/build.mjs.
//
// Werkpad's engine evaluates table entries as (safe) Python, not FEEL. The editor is given
// that as its only expression language, so every cell is plain text, and it goes without the
// "simple mode" pop-ups, which write FEEL notation ([30..80], "a","b") the engine would refuse.
import EditingManager from 'dmn-js-shared/lib/base/EditingManager';
import DecisionTableEditor from 'dmn-js-decision-table/lib/Editor';
import DecisionTableViewer from 'dmn-js-decision-table/lib/Viewer';
import simpleModeModule from 'dmn-js-decision-table/lib/features/simple-mode';
import simpleBooleanEditModule from 'dmn-js-decision-table/lib/features/simple-boolean-edit';
import simpleDateEditModule from 'dmn-js-decision-table/lib/features/simple-date-edit';
import simpleDateTimeEditModule from 'dmn-js-decision-table/lib/features/simple-date-time-edit';
import simpleDurationEditModule from 'dmn-js-decision-table/lib/features/simple-duration-edit';
import simpleNumberEditModule from 'dmn-js-decision-table/lib/features/simple-number-edit';
import simpleStringEditModule from 'dmn-js-decision-table/lib/features/simple-string-edit';
import simpleTimeEditModule from 'dmn-js-decision-table/lib/features/simple-time-edit';
import { is } from 'dmn-js-shared/lib/util/ModelUtil';

const FEEL_ONLY = [simpleModeModule, simpleBooleanEditModule, simpleDateEditModule, simpleDateTimeEditModule,
  simpleDurationEditModule, simpleNumberEditModule, simpleStringEditModule, simpleTimeEditModule];

class TableEditor extends DecisionTableEditor {
  getModules() {
    return [...DecisionTableViewer._getModules(),
      ...DecisionTableEditor._getModules().filter((m) => !FEEL_ONLY.includes(m))];
  }
}

class TableModeler extends EditingManager {
  _getViewProviders() {
    return [{
      id: 'decisionTable',
      constructor: TableEditor,
      opens(element) {
        return is(element, 'dmn:Decision') && is(element.decisionLogic, 'dmn:DecisionTable');
      },
    }];
  }
}

window.WerkpadDmn = { TableModeler };
