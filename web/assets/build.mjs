// Bundles and copies the npm packages the web pages need into node_modules/.werkpad-vendor/
// (run by `npm ci` through the postinstall script; Flask serves that folder under /vendor/).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, 'node_modules', '.werkpad-vendor');
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(root, 'web', 'assets', 'diagram-entry.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outfile: join(out, 'bpmn-bundle.js'),
  logLevel: 'warning',
});

// The strict Content-Security-Policy (style-src 'self', no 'unsafe-inline') refuses style="..."
// attributes in markup. Two bpmn.io sources write them: bpmn-js's align/distribute icons (inline
// SVG) and a few containers. At build time the icons get the same declarations as SVG
// presentation attributes (stroke="currentColor" ..., which are no inline CSS) and the
// containers a class whose rule is in web/static/css/ontwerp.css, so the policy stays as it is.
// (The bpmn.io watermark is left exactly as it is, as its licence asks; see web/designer.py.)
function presentationAttributes(source) {
  return source.replace(/style="([^"]*)"/g, (_m, decls) => decls
    .split(';').map((d) => d.trim()).filter(Boolean)
    .map((d) => { const i = d.indexOf(':'); return `${d.slice(0, i).trim()}="${d.slice(i + 1).trim()}"`; })
    .join(' '));
}
const NO_INLINE_STYLE = [
  { file: /(align|distribute)-elements[\\/]\w+Icons\.js$/, change: presentationAttributes },
  { file: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/,
    change: (s) => s.replace('<div style="height: 100%" tabindex="-1" class="', '<div tabindex="-1" class="werkpad-vol ')
      .replace('<div style="flex: none; height: auto" class="', '<div class="werkpad-kop ') },
  { file: /dmn-js-decision-table[\\/]lib[\\/]features[\\/]drag-and-drop[\\/]DragAndDrop\.js$/,
    change: (s) => s.replace(/<span style="[^"]*"><\/span>/, '<span class="werkpad-sleepbeeld"></span>') },
];
const noInlineStyle = {
  name: 'no-inline-style',
  setup(b) {
    for (const { file, change } of NO_INLINE_STYLE) {
      b.onLoad({ filter: file }, (args) => {
        const before = readFileSync(args.path, 'utf8');
        const after = change(before);
        if (after === before || /style="/.test(after.replace(/\* *html: '<div style=[^\n]*/g, ''))) {
          throw new Error(`${args.path}: style-attributen niet (alle) vervangen; bouwscript bijwerken`);
        }
        return { contents: after, loader: 'js' };
      });
    }
  },
};

// The properties panel's own texts ("Toggle section", "Open pop-up editor", "Delete item", ...) are
// translated only when a caller hands its components a translate function, which bpmn-js-properties-
// panel's BPMN groups and entries do not; they fall back to the English text. At build time that
// fallback asks the function the page sets through werkpadSetTranslate (web/static/js/ontwerp.js,
// the same one bpmn-js gets), so the whole panel speaks the user's language.
const PANEL_FALLBACK = 'function translateFallback(template, replacements) {\n';
const panelTranslate = {
  name: 'panel-translate',
  setup(b) {
    b.onLoad({ filter: /@bpmn-io[\\/]properties-panel[\\/]dist[\\/]index\.esm\.js$/ }, (args) => {
      const before = readFileSync(args.path, 'utf8');
      if (before.split(PANEL_FALLBACK).length !== 2) {
        throw new Error(`${args.path}: translateFallback niet gevonden; bouwscript bijwerken`);
      }
      const after = before.replace(PANEL_FALLBACK, 'let werkpadTranslate = null;\n' + PANEL_FALLBACK +
        '  if (werkpadTranslate) { return werkpadTranslate(template, replacements); }\n') +
        '\nexport function werkpadSetTranslate(fn) { werkpadTranslate = fn; }\n';
      return { contents: after, loader: 'js' };
    });
  },
};

await build({
  entryPoints: [join(root, 'web', 'assets', 'modeler-entry.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outfile: join(out, 'bpmn-modeler.js'),
  logLevel: 'warning',
  plugins: [noInlineStyle, panelTranslate],
});
copyFileSync(join(root, 'node_modules', '@bpmn-io', 'properties-panel', 'dist', 'assets', 'properties-panel.css'),
  join(out, 'properties-panel.css'));

// the decision-table editor (dmn-js) for the designer's DMN page
await build({
  entryPoints: [join(root, 'web', 'assets', 'dmn-entry.js')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020'],
  outfile: join(out, 'dmn-modeler.js'),
  logLevel: 'warning',
  plugins: [noInlineStyle],
});
const dmnAssets = join(root, 'node_modules', 'dmn-js', 'dist', 'assets');
for (const css of ['dmn-js-shared.css', 'dmn-js-decision-table.css', 'dmn-js-decision-table-controls.css']) {
  copyFileSync(join(dmnAssets, css), join(out, css));
}
cpSync(join(dmnAssets, 'dmn-font'), join(out, 'dmn-font'), { recursive: true });

const assets = join(root, 'node_modules', 'bpmn-js', 'dist', 'assets');
copyFileSync(join(assets, 'diagram-js.css'), join(out, 'diagram-js.css'));
copyFileSync(join(assets, 'bpmn-js.css'), join(out, 'bpmn-js.css'));
cpSync(join(assets, 'bpmn-font'), join(out, 'bpmn-font'), { recursive: true });

// NL Design System: the component CSS (Utrecht community components) and the NL DS example
// token set ("voorbeeld", EUPL) as the base the Werkpad themes in web/static/thema/ override.
const nlds = join(root, 'node_modules');
copyFileSync(join(nlds, '@utrecht', 'component-library-css', 'dist', 'index.css'), join(out, 'utrecht-components.css'));
copyFileSync(join(nlds, '@nl-design-system-unstable', 'voorbeeld-design-tokens', 'dist', 'theme.css'),
             join(out, 'nlds-tokens.css'));
// The heading font of the NL DS example tokens (--basis-heading-font-family: 'Noto Serif'),
// self-hosted from @fontsource/noto-serif (SIL Open Font License 1.1, copied beside it): bold
// (the tokens' heading weight), Latin and Latin Extended only; no external CDN, so the CSP's
// font-src 'self' holds.
const fontOut = join(out, 'noto-serif');
mkdirSync(join(fontOut, 'files'), { recursive: true });
const fontPkg = join(nlds, '@fontsource', 'noto-serif');
const faces = readFileSync(join(fontPkg, '700.css'), 'utf8')
  .split(/(?=\/\* noto-serif-)/)
  .filter((block) => /\/\* noto-serif-latin(-ext)?-700-normal \*\//.test(block));
if (faces.length !== 2) throw new Error('noto-serif: latin and latin-ext faces not found');
for (const block of faces) {
  for (const [, file] of block.matchAll(/url\(\.\/files\/([^)]+)\)/g)) {
    copyFileSync(join(fontPkg, 'files', file), join(fontOut, 'files', file));
  }
}
writeFileSync(join(fontOut, 'noto-serif.css'),
  '/* Noto Serif bold (Latin, Latin Extended) from @fontsource/noto-serif; SIL OFL 1.1, see LICENSE */\n' +
  faces.join(''));
copyFileSync(join(fontPkg, 'LICENSE'), join(fontOut, 'LICENSE'));
console.log('werkpad: browser assets gebouwd in node_modules/.werkpad-vendor/');
