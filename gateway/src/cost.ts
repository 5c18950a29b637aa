import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  GraphQLError,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { MAX_PAGE_SIZE } from '../../lib/paging';

/**
 * The cost of an operation as it will run: what a selection costs, multiplied by the page size
 * each connection asks for. The page size is the `first` (or `last`) argument's value whichever
 * way it is written: a literal, a variable's value in this request, the variable's default, the
 * argument's default in the schema; where none is known (or the value is not a number), the
 * page maximum. So `first: $n` with `n = 100` costs what `first: 100` costs.
 *
 * The weights follow graphql-armor's cost rule, which this replaces (it reads literals only): an
 * object costs 2, a scalar 1, and each level of nesting weighs its children 1.5 times.
 */
export const COST_WEIGHTS = Object.freeze({ object: 2, scalar: 1, depthFactor: 1.5 });

const PAGE_ARGUMENTS = ['first', 'last'];

type Variables = Record<string, unknown> | undefined;

function pageSize(
  field: GraphQLField<unknown, unknown> | undefined,
  args: readonly { name: { value: string }; value: ValueNode }[] | undefined,
  operation: OperationDefinitionNode,
  variables: Variables,
): number {
  const definition = field?.args.find((arg) => PAGE_ARGUMENTS.includes(arg.name));
  const sent = args?.find((arg) => PAGE_ARGUMENTS.includes(arg.name.value));
  if (!sent) {
    if (!definition) return 1; // not a connection
    return typeof definition.defaultValue === 'number' ? definition.defaultValue : MAX_PAGE_SIZE;
  }
  let value: unknown;
  if (sent.value.kind === Kind.VARIABLE) {
    const name = sent.value.name.value;
    if (variables && name in variables) value = variables[name];
    else {
      const declared = operation.variableDefinitions?.find((v) => v.variable.name.value === name);
      value = declared?.defaultValue ? valueFromASTUntyped(declared.defaultValue) : definition?.defaultValue;
    }
  } else if (sent.value.kind === Kind.INT) {
    value = Number(sent.value.value);
  }
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.max(1, Math.floor(value)) : MAX_PAGE_SIZE;
}

/** The cost of `operation` with these variable values (see the module comment). */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Variables,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  // A fragment's cost does not depend on where it is spread: computed once, however often it is
  // spread (a document of fragments spreading each other twice is exponential otherwise).
  const fragmentCosts = new Map<string, number>();

  function selectionCost(selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__schema' || selection.name.value === '__type') continue; // introspection: off outside development
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        if (!selection.selectionSet) {
          total += COST_WEIGHTS.scalar;
          continue;
        }
        const type = field ? getNamedType(field.type) : undefined;
        const children = selectionCost(selection.selectionSet, type);
        total += (COST_WEIGHTS.object + COST_WEIGHTS.depthFactor * children) * pageSize(field, selection.arguments, operation, variables);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += selectionCost(selection.selectionSet, type ?? undefined);
      } else {
        const name = selection.name.value;
        let cost = fragmentCosts.get(name);
        if (cost === undefined) {
          const fragment = fragments.get(name);
          const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
          fragmentCosts.set(name, 0); // a cycle (validation refuses them) costs nothing more
          cost = fragment ? selectionCost(fragment.selectionSet, isCompositeType(type) ? type : undefined) : 0;
          fragmentCosts.set(name, cost);
        }
        total += cost;
      }
    }
    return total;
  }

  const root = schema.getRootType(operation.operation);
  return selectionCost(operation.selectionSet, root ?? undefined);
}

/**
 * Refuses (400 GRAPHQL_VALIDATION_FAILED, before planning, so before any subgraph) an operation
 * whose cost with this request's variables is over `maxCost`. A plugin, not a validation rule:
 * validation sees no variables, and Apollo Server skips it for a document it has seen before.
 */
export function costLimit(maxCost: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const cost = operationCost(schema, document, operation, request.variables);
          if (cost > maxCost) {
            throw new GraphQLError(
              `the operation costs ${Math.round(cost).toLocaleString('en-US')}, over the limit of ${maxCost.toLocaleString('en-US')}: ask for smaller pages (first) or fewer fields`,
              { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', cost: Math.round(cost), maxCost, http: { status: 400 } } },
            );
          }
        },
      };
    },
  };
}
