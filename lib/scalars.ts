import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DateTimeResolver, LocalDateResolver } from 'graphql-scalars';

/**
 * `Money` is an exact decimal amount with its ISO 4217 currency, e.g.
 * `{ "amount": "1234.50", "currency": "CNY" }`. Amounts are decimal strings, never floats,
 * so no cent is lost on the way to a client.
 */
export interface Money {
  amount: string;
  currency: string;
}

const AMOUNT = /^-?\d{1,15}(\.\d{1,4})?$/;
const CURRENCY = /^[A-Z]{3}$/;

function toMoney(value: unknown): Money {
  if (typeof value === 'string') {
    const [amount, currency, ...rest] = value.trim().split(/\s+/);
    if (rest.length === 0 && AMOUNT.test(amount ?? '') && CURRENCY.test(currency ?? '')) return { amount, currency };
  } else if (value && typeof value === 'object') {
    const { amount, currency } = value as Record<string, unknown>;
    if (typeof amount === 'string' && AMOUNT.test(amount) && typeof currency === 'string' && CURRENCY.test(currency)) {
      return { amount, currency };
    }
  }
  throw new TypeError(
    `Money must be { amount: "<decimal>", currency: "<ISO 4217>" } or "<decimal> <CUR>"; received ${JSON.stringify(value)}`,
  );
}

function literalValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
      return ast.value;
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalValue(field.value)]));
    default:
      return undefined;
  }
}

export const MoneyScalar = new GraphQLScalarType<Money, Money>({
  name: 'Money',
  description: 'An exact decimal amount and its ISO 4217 currency: { amount: "1234.50", currency: "CNY" }.',
  serialize: toMoney,
  parseValue: toMoney,
  parseLiteral: (ast) => toMoney(literalValue(ast)),
});

/**
 * `Date` is a calendar date, `YYYY-MM-DD`, kept as that string on both sides (graphql-scalars'
 * LocalDate rules under our name): a birth date never shifts with a time zone, and resolvers
 * receive the same string type that stores return.
 */
export const DateScalar = new GraphQLScalarType<string, string>({
  ...LocalDateResolver.toConfig(),
  name: 'Date',
  description: 'A calendar date, `YYYY-MM-DD`.',
});

/** The scalars every subgraph declares, to spread into its resolver map. */
export const scalarResolvers = {
  Date: DateScalar,
  DateTime: DateTimeResolver,
  Money: MoneyScalar,
};

/** Builds a Money value from a row's decimal string and currency. */
export function money(amount: string, currency: string): Money {
  return { amount, currency };
}
