/** Made at build time by `registeredOperations()` in portal/build.ts. */
declare module 'virtual:registered-operations' {
  /** Operation name -> registered id (sha256 of the registered document), from schema/operations/manifest.json. */
  export const operationIds: Readonly<Record<string, string>>;
  /** Interface or union name -> the names of its object types, from schema/api.graphql. */
  export const possibleTypes: Readonly<Record<string, string[]>>;
}
