/** Made at build time by `registeredOperations()` in portal/build.ts. */
declare module 'virtual:registered-operations' {
  /** Interface or union name -> the names of its object types, from schema/api.graphql. */
  export const possibleTypes: Readonly<Record<string, string[]>>;
}
