import type { Department } from '../lib/auth/principal';

/**
 * What the rest of the repository knows about one department, written in its own folder
 * (`subgraphs/<name>/department.ts`) and read through the registry (`subgraphs/registry.ts`).
 *
 * Data only: it names the department's code (`path#export`, as codegen's mappers do) instead of
 * importing it, so that the portal's browser bundle can read the registry and codegen can read
 * it without loading any service. `subgraphs/load.ts` loads what it names, in Node.
 */
export interface DepartmentManifest {
  /** The service: its folder under `subgraphs/`, its process, store and `<SERVICE>_*` variables. */
  readonly name: string;
  /** Its default port. lib/config.ts keeps the copy every service runs with (a check holds them equal). */
  readonly port: number;
  /** How people call it, e.g. in the portal. */
  readonly title: string;
  /** The section it adds to `Citizen`; none for identity (which owns `Citizen`) and audit (the trail). */
  readonly section?: Section;
  /** Codegen's mappers for its resolver types: graph type -> row type, relative to `src/generated/`. */
  readonly mappers: Readonly<Record<string, string>>;
  /** Its `SubgraphDefinition`, `path#export` relative to the folder (e.g. `./src/server#transport`). */
  readonly server: string;
  /** Its part of the synthetic world (a `DepartmentSeed`), `path#export` relative to the folder; none if it seeds nothing. */
  readonly seed?: string;
}

export interface Section {
  /** The field on `Citizen`, e.g. `socialSecurity`. */
  readonly field: string;
  /** Its value of the graph's `Department` enum, e.g. `SOCIAL_SECURITY`. */
  readonly code: Department;
  /**
   * The section's fixed connection (DESIGN.md, "The graph": `TransportProfile.vehicles`, ...) and
   * the table that holds its rows: what a complete seed always fills.
   */
  readonly records: { readonly connection: string; readonly table: string };
}

/** A department with a section of `Citizen`. */
export type SectionManifest = DepartmentManifest & { readonly section: Section };
