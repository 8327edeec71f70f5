// Grafana as far as a machine without Grafana can check it:
//  - every infra/grafana/dashboards/*.json is type-checked against Grafana's published dashboard
//    schema (@grafana/schema, the version of the compose file's Grafana image): the dashboard as a
//    whole, and each panel against its plugin's own options and field config where the schema
//    publishes them (timeseries, stat, ...). Unknown fields are errors, like wrong types and values;
//  - the provisioning files (infra/grafana/provisioning) carry only fields Grafana reads, the
//    required ones set, and point where the compose file mounts things.
// Usage: node check.mjs [REPO_ROOT]. Exit 0 when everything passes, 1 with each problem named.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import YAML from 'yaml';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..', '..'));
const dashboardsDir = path.join(root, 'infra/grafana/dashboards');
const provisioningDir = path.join(root, 'infra/grafana/provisioning');
const composableDir = path.join(here, 'node_modules/@grafana/schema/dist/esm/raw/composable');
const problems = [];

// ---- dashboards against the schema ------------------------------------------------------------
// JSON says "palette-classic" where the schema's types say FieldColorModeId.PaletteClassic: Json<T>
// turns each string enum into the union of its values, so the file is checked as Grafana reads it.
const prelude = `import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
type Json<T> = T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T
  : T extends Array<infer U> ? Array<Json<U>> : T extends object ? { [K in keyof T]: Json<T[K]> } : T;
`;

/** The plugin's published options/field-config types, or null when the schema has none for it. */
function pluginTypes(type) {
  const dir = path.join(composableDir, type, 'panelcfg/x');
  if (!fs.existsSync(dir)) return null;
  const file = fs.readdirSync(dir).find(f => f.endsWith('_types.gen.d.ts'));
  if (!file) return null;
  const source = fs.readFileSync(path.join(dir, file), 'utf8');
  return {
    module: `@grafana/schema/dist/esm/raw/composable/${type}/panelcfg/x/${file.replace(/\.d\.ts$/, '')}`,
    options: /export interface Options\b/.test(source),
    fieldConfig: /export interface FieldConfig\b/.test(source),
  };
}

const generatedDir = path.join(here, '.generated');
fs.rmSync(generatedDir, { recursive: true, force: true });
fs.mkdirSync(generatedDir);
const files = [];
const origin = new Map();
const dashboards = fs.readdirSync(dashboardsDir).filter(f => f.endsWith('.json')).sort();
if (dashboards.length === 0) problems.push(`${dashboardsDir}: no dashboards`);
let panelCount = 0;
for (const name of dashboards) {
  let dashboard;
  try {
    dashboard = JSON.parse(fs.readFileSync(path.join(dashboardsDir, name), 'utf8'));
  } catch (e) {
    problems.push(`${name}: not JSON: ${e.message}`);
    continue;
  }
  const base = path.join(generatedDir, name.replace(/\.json$/, ''));
  files.push(`${base}.ts`);
  origin.set(`${base}.ts`, `${name}`);
  fs.writeFileSync(`${base}.ts`, `${prelude}export const dashboard: Json<Dashboard> = ${JSON.stringify(dashboard, null, 2)};\n`);

  const panels = (dashboard.panels ?? []).flatMap(p => [p, ...(p.type === 'row' ? p.panels ?? [] : [])]);
  panels.forEach((panel, i) => {
    panelCount++;
    let imports = '', type;
    if (panel.type === 'row') {
      type = 'Json<RowPanel>';
    } else {
      const plugin = pluginTypes(panel.type);
      if (plugin === null && !fs.existsSync(path.join(composableDir, panel.type ?? ''))) {
        problems.push(`${name}: panel '${panel.title}': type '${panel.type}' is not a panel plugin Grafana's schema knows`);
      }
      const options = plugin?.options ? 'Options' : 'Record<string, unknown>';
      const fieldConfig = plugin?.fieldConfig ? 'FieldConfig' : 'Record<string, unknown>';
      if (plugin) imports = `import type { ${[plugin.options && 'Options', plugin.fieldConfig && 'FieldConfig'].filter(Boolean).join(', ')} } from '${plugin.module}';\n`;
      // Panel<> leaves `options` open; the plugin's Options close it.
      type = `Json<Panel<${options}, ${fieldConfig}> & { options?: ${options} }>`;
    }
    const file = `${base}.panel-${String(i + 1).padStart(2, '0')}.ts`;
    files.push(file);
    origin.set(file, `${name}: panel '${panel.title}' (${panel.type})`);
    fs.writeFileSync(file, `${imports}${prelude}export const panel: ${type} = ${JSON.stringify(panel, null, 2)};\n`);
  });
}

const program = ts.createProgram(files, {
  strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Node10, skipLibCheck: true, types: [],
});
for (const d of ts.getPreEmitDiagnostics(program)) {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
  if (!d.file) { problems.push(`schema check: ${message}`); continue; }
  const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
  const text = d.file.text.split('\n')[line].trim();
  problems.push(`${origin.get(path.resolve(d.file.fileName)) ?? d.file.fileName}: ${message}\n  at: ${text}`);
}

// ---- provisioning --------------------------------------------------------------------------------
// The fields Grafana's provisioning reads (pkg/services/provisioning, apiVersion 1).
const datasourceFields = new Set(['name', 'type', 'uid', 'access', 'url', 'user', 'database', 'basicAuth', 'basicAuthUser',
  'withCredentials', 'isDefault', 'jsonData', 'secureJsonData', 'version', 'editable', 'orgId']);
const providerFields = new Set(['name', 'orgId', 'folder', 'folderUid', 'type', 'disableDeletion', 'updateIntervalSeconds',
  'allowUiUpdates', 'options']);
const providerOptionFields = new Set(['path', 'foldersFromFilesStructure']);

function yamlFiles(kind) {
  const dir = path.join(provisioningDir, kind);
  if (!fs.existsSync(dir)) { problems.push(`provisioning/${kind}: missing`); return []; }
  return fs.readdirSync(dir).filter(f => /\.ya?ml$/.test(f)).map(f => {
    const where = `provisioning/${kind}/${f}`;
    try {
      return { where, doc: YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')) ?? {} };
    } catch (e) {
      problems.push(`${where}: not YAML: ${e.message}`);
      return null;
    }
  }).filter(Boolean);
}

function fields(where, object, allowed) {
  for (const key of Object.keys(object ?? {})) if (!allowed.has(key)) problems.push(`${where}: unknown field '${key}'`);
}

const uids = new Set();
for (const { where, doc } of yamlFiles('datasources')) {
  fields(where, doc, new Set(['apiVersion', 'datasources', 'deleteDatasources', 'prune']));
  if (doc.apiVersion !== 1) problems.push(`${where}: apiVersion must be 1`);
  if (!Array.isArray(doc.datasources) || doc.datasources.length === 0) problems.push(`${where}: no datasources`);
  for (const [i, ds] of (doc.datasources ?? []).entries()) {
    const at = `${where}: datasources[${i}]`;
    fields(at, ds, datasourceFields);
    for (const key of ['name', 'type', 'uid', 'url']) if (typeof ds[key] !== 'string' || ds[key] === '') problems.push(`${at}: '${key}' must be set`);
    if (ds.access !== undefined && !['proxy', 'direct'].includes(ds.access)) problems.push(`${at}: access must be proxy or direct`);
    if (typeof ds.url === 'string' && !/^https?:\/\/[^/]+/.test(ds.url)) problems.push(`${at}: url '${ds.url}' is not http(s)`);
    if (ds.jsonData?.timeInterval !== undefined && !/^\d+(ms|s|m|h)$/.test(ds.jsonData.timeInterval)) problems.push(`${at}: jsonData.timeInterval '${ds.jsonData.timeInterval}' is not a duration`);
    if (ds.uid) uids.add(ds.uid);
  }
}
for (const { where, doc } of yamlFiles('dashboards')) {
  fields(where, doc, new Set(['apiVersion', 'providers']));
  if (doc.apiVersion !== 1) problems.push(`${where}: apiVersion must be 1`);
  if (!Array.isArray(doc.providers) || doc.providers.length === 0) problems.push(`${where}: no providers`);
  for (const [i, p] of (doc.providers ?? []).entries()) {
    const at = `${where}: providers[${i}]`;
    fields(at, p, providerFields);
    fields(`${at}.options`, p.options, providerOptionFields);
    if (typeof p.name !== 'string' || p.name === '') problems.push(`${at}: 'name' must be set`);
    if (p.type !== 'file') problems.push(`${at}: type must be 'file'`);
    if (typeof p.options?.path !== 'string' || !p.options.path.startsWith('/')) problems.push(`${at}: options.path must be an absolute path`);
    if (p.updateIntervalSeconds !== undefined && !(Number.isInteger(p.updateIntervalSeconds) && p.updateIntervalSeconds > 0)) problems.push(`${at}: updateIntervalSeconds must be a positive integer`);
  }
}
// Every datasource a dashboard names by uid is one the provisioning creates.
for (const name of dashboards) {
  const text = fs.readFileSync(path.join(dashboardsDir, name), 'utf8');
  for (const m of text.matchAll(/"uid":\s*"([^"]+)"/g)) {
    const inDatasource = /"datasource":\s*\{[^}]*$/.test(text.slice(Math.max(0, m.index - 200), m.index));
    if (inDatasource && !uids.has(m[1])) problems.push(`${name}: datasource uid '${m[1]}' is not provisioned (${[...uids].join(', ')})`);
  }
}

if (problems.length > 0) {
  console.error(`grafana check: ${problems.length} problem(s):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`grafana check: ${dashboards.length} dashboard(s), ${panelCount} panel(s) match @grafana/schema ${JSON.parse(fs.readFileSync(path.join(here, 'node_modules/@grafana/schema/package.json'), 'utf8')).version}; provisioning fields ok`);
