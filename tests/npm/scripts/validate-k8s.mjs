// Reads a multi-document YAML file (what `kubectl kustomize` renders) and validates every object against the
// Kubernetes API's OpenAPI schemas (kubernetes-models) or the External Secrets Operator's CRD schemas.
// Writes {objects, failures} to the file named second: the objects as JSON (YAML 1.2 core types, as the API server reads them) and,
// for each object that failed, {kind, name, errors}. Exits 0 even then, so the caller reports them all.
import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const packages = [
  { match: group => group === "external-secrets.io", module: (group, version) => `@kubernetes-models/external-secrets/${group}/${version}` },
  { match: () => true, module: (group, version) => group ? `kubernetes-models/${group}/${version}` : `kubernetes-models/${version}` },
];

const documents = parseAllDocuments(readFileSync(process.argv[2], "utf8"));
const parseErrors = documents.flatMap(d => d.errors.map(e => e.message));
if (parseErrors.length > 0) {
  process.stderr.write(parseErrors.join("\n"));
  process.exit(1);
}
const objects = documents.map(d => d.toJS()).filter(o => o !== null);
const failures = [];
for (const object of objects) {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  const name = object.metadata?.name ?? "(unnamed)";
  const modulePath = packages.find(p => p.match(group)).module(group, version);
  let model;
  try {
    model = (await import(modulePath))[object.kind];
  } catch (error) {
    failures.push({ kind: object.kind, name, errors: [`no schema module ${modulePath}: ${error.message}`] });
    continue;
  }
  if (!model) {
    failures.push({ kind: object.kind, name, errors: [`${modulePath} has no model for kind ${object.kind}`] });
    continue;
  }
  try {
    new model(object).validate();
  } catch (error) {
    failures.push({ kind: object.kind, name, errors: [error.message] });
  }
}
writeFileSync(process.argv[3], JSON.stringify({ objects, failures }));
