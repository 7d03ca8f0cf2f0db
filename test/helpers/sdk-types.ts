import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API, SymbolFlags, type Type, TypeFlags } from 'typescript/unstable/sync';

/** One field of an SDK type: its name and whether the type marks it optional. */
export interface SdkField {
  name: string;
  optional: boolean;
}

export interface SdkWireTypes {
  /** Fields of `Response`. */
  response: SdkField[];
  /** Fields of each member of `ResponseStreamEvent`, by its `type`. */
  events: Map<string, SdkField[]>;
}

const PROBE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'sdk-types');

/**
 * Walk the `openai` SDK's declaration files with the TypeScript compiler API (TypeScript 7's
 * `typescript/unstable/sync`, which drives the native compiler): the fields of `Response` and of
 * every stream event type, exactly as the installed SDK declares them. A field the SDK adds
 * shows up here without anyone updating a list.
 */
export function readSdkWireTypes(): SdkWireTypes {
  const api = new API({ cwd: PROBE_DIR });
  try {
    const snapshot = api.updateSnapshot({ openProject: join(PROBE_DIR, 'tsconfig.json') });
    const project = snapshot.getProjects()[0];
    if (!project) throw new Error(`no TypeScript project at ${PROBE_DIR}`);
    const file = join(PROBE_DIR, 'probe.ts');
    const source = project.program.getSourceFile(file);
    if (!source) throw new Error(`${file} is not in its project`);
    const checker = project.checker;
    const aliasType = (name: string): Type => {
      const symbol = checker.getSymbolAtPosition(file, source.text.indexOf(`type ${name}`) + 5);
      if (!symbol) throw new Error(`${name} not found in ${file}`);
      return checker.getDeclaredTypeOfSymbol(symbol);
    };
    const fields = (type: Type): SdkField[] =>
      checker.getPropertiesOfType(type).map((p) => ({
        name: p.name,
        optional: (p.flags & SymbolFlags.Optional) !== 0,
      }));

    const events = new Map<string, SdkField[]>();
    const union = aliasType('ProbeStreamEvent');
    if ((union.flags & TypeFlags.Union) === 0) throw new Error('ResponseStreamEvent is no longer a union');
    for (const member of (union as Type & { getTypes(): readonly Type[] }).getTypes()) {
      const typeField = checker.getPropertyOfType(member, 'type');
      const typeOfType = typeField ? checker.getTypeOfSymbol(typeField) : undefined;
      if (!typeOfType) throw new Error('a stream event type without a `type` field');
      events.set(JSON.parse(checker.typeToString(typeOfType)) as string, fields(member));
    }
    return { response: fields(aliasType('ProbeResponse')), events };
  } finally {
    api.close();
  }
}
