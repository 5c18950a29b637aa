import { GraphQLScalarType, type GraphQLSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { DateScalar, MoneyScalar } from '../../lib/scalars';

/** The custom scalars the subgraphs implement (lib/scalars.ts), by name. */
const INPUT_RULES: Record<string, GraphQLScalarType> = { Date: DateScalar, DateTime: DateTimeResolver, Money: MoneyScalar };

/**
 * A supergraph carries only scalar names, so the gateway would accept any value for a `Date`
 * variable and leave the subgraph to refuse it (which a client then sees as an internal error).
 * This gives the gateway's schema the subgraphs' input rules, so that a bad `Date`, `DateTime`
 * or `Money` variable or literal is refused at the gateway with 400 BAD_USER_INPUT naming the
 * variable, before anything is planned. Output values pass through unchanged.
 */
export function checkCustomScalarInputs(schema: GraphQLSchema): void {
  for (const [name, rules] of Object.entries(INPUT_RULES)) {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLScalarType)) continue;
    const passValue = type.parseValue.bind(type);
    const passLiteral = type.parseLiteral.bind(type);
    // The subgraph's rule throws on a bad value (a clear message); the value goes on as the client sent it.
    type.parseValue = (value) => (rules.parseValue(value), passValue(value));
    type.parseLiteral = (ast, variables) => (rules.parseLiteral(ast, variables), passLiteral(ast, variables));
  }
}
