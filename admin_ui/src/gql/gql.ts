/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query Viewer {\n    viewer {\n      displayName\n      permissions\n    }\n  }\n": typeof types.ViewerDocument,
    "\n  query CompanyCard($id: ID!) {\n    company(id: $id) {\n      id\n      name\n      nip\n      regon\n      website\n      lifecycle\n      tags\n      createdAt\n      owner {\n        displayName\n      }\n      territory {\n        name\n      }\n      phones {\n        value\n        label\n      }\n      emails {\n        value\n        label\n      }\n      addresses {\n        street\n        postalCode\n        city\n      }\n      employees(first: 50) {\n        edges {\n          node {\n            position\n            person {\n              id\n              fullName\n              phones {\n                value\n              }\n              emails {\n                value\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.CompanyCardDocument,
    "\n  mutation AddNote($input: TimelineEntryInput!) {\n    timelineEntryCreate(input: $input) {\n      entry {\n        id\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n": typeof types.AddNoteDocument,
    "\n  query CompanyList($first: Int!, $after: String, $filter: CompanyFilter, $orderBy: RecordOrder) {\n    companies(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          nip\n          tags\n          phones {\n            value\n            isPrimary\n          }\n          emails {\n            value\n            isPrimary\n          }\n          territory {\n            name\n          }\n        }\n      }\n    }\n  }\n": typeof types.CompanyListDocument,
    "\n  query PersonList($first: Int!, $after: String, $filter: PersonFilter, $orderBy: RecordOrder) {\n    persons(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          fullName\n          tags\n          phones {\n            value\n            isPrimary\n          }\n          emails {\n            value\n            isPrimary\n          }\n          employments {\n            position\n            isPrimary\n            company {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": typeof types.PersonListDocument,
    "\n  query Timeline($subject: ID!, $kinds: [String!], $first: Int!, $after: String) {\n    timeline(subject: $subject, kinds: $kinds, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          occurredAt\n          title\n          body\n          durationMinutes\n          author {\n            displayName\n          }\n        }\n      }\n    }\n  }\n": typeof types.TimelineDocument,
    "\n  query TimelineKinds {\n    timelineKinds {\n      name\n      label\n    }\n  }\n": typeof types.TimelineKindsDocument,
};
const documents: Documents = {
    "\n  query Viewer {\n    viewer {\n      displayName\n      permissions\n    }\n  }\n": types.ViewerDocument,
    "\n  query CompanyCard($id: ID!) {\n    company(id: $id) {\n      id\n      name\n      nip\n      regon\n      website\n      lifecycle\n      tags\n      createdAt\n      owner {\n        displayName\n      }\n      territory {\n        name\n      }\n      phones {\n        value\n        label\n      }\n      emails {\n        value\n        label\n      }\n      addresses {\n        street\n        postalCode\n        city\n      }\n      employees(first: 50) {\n        edges {\n          node {\n            position\n            person {\n              id\n              fullName\n              phones {\n                value\n              }\n              emails {\n                value\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n": types.CompanyCardDocument,
    "\n  mutation AddNote($input: TimelineEntryInput!) {\n    timelineEntryCreate(input: $input) {\n      entry {\n        id\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n": types.AddNoteDocument,
    "\n  query CompanyList($first: Int!, $after: String, $filter: CompanyFilter, $orderBy: RecordOrder) {\n    companies(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          nip\n          tags\n          phones {\n            value\n            isPrimary\n          }\n          emails {\n            value\n            isPrimary\n          }\n          territory {\n            name\n          }\n        }\n      }\n    }\n  }\n": types.CompanyListDocument,
    "\n  query PersonList($first: Int!, $after: String, $filter: PersonFilter, $orderBy: RecordOrder) {\n    persons(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          fullName\n          tags\n          phones {\n            value\n            isPrimary\n          }\n          emails {\n            value\n            isPrimary\n          }\n          employments {\n            position\n            isPrimary\n            company {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n": types.PersonListDocument,
    "\n  query Timeline($subject: ID!, $kinds: [String!], $first: Int!, $after: String) {\n    timeline(subject: $subject, kinds: $kinds, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          occurredAt\n          title\n          body\n          durationMinutes\n          author {\n            displayName\n          }\n        }\n      }\n    }\n  }\n": types.TimelineDocument,
    "\n  query TimelineKinds {\n    timelineKinds {\n      name\n      label\n    }\n  }\n": types.TimelineKindsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Viewer {\n    viewer {\n      displayName\n      permissions\n    }\n  }\n"): (typeof documents)["\n  query Viewer {\n    viewer {\n      displayName\n      permissions\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompanyCard($id: ID!) {\n    company(id: $id) {\n      id\n      name\n      nip\n      regon\n      website\n      lifecycle\n      tags\n      createdAt\n      owner {\n        displayName\n      }\n      territory {\n        name\n      }\n      phones {\n        value\n        label\n      }\n      emails {\n        value\n        label\n      }\n      addresses {\n        street\n        postalCode\n        city\n      }\n      employees(first: 50) {\n        edges {\n          node {\n            position\n            person {\n              id\n              fullName\n              phones {\n                value\n              }\n              emails {\n                value\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CompanyCard($id: ID!) {\n    company(id: $id) {\n      id\n      name\n      nip\n      regon\n      website\n      lifecycle\n      tags\n      createdAt\n      owner {\n        displayName\n      }\n      territory {\n        name\n      }\n      phones {\n        value\n        label\n      }\n      emails {\n        value\n        label\n      }\n      addresses {\n        street\n        postalCode\n        city\n      }\n      employees(first: 50) {\n        edges {\n          node {\n            position\n            person {\n              id\n              fullName\n              phones {\n                value\n              }\n              emails {\n                value\n              }\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddNote($input: TimelineEntryInput!) {\n    timelineEntryCreate(input: $input) {\n      entry {\n        id\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddNote($input: TimelineEntryInput!) {\n    timelineEntryCreate(input: $input) {\n      entry {\n        id\n      }\n      userErrors {\n        field\n        code\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompanyList($first: Int!, $after: String, $filter: CompanyFilter, $orderBy: RecordOrder) {\n    companies(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          nip\n          tags\n          phones {\n            value\n            isPrimary\n          }\n          emails {\n            value\n            isPrimary\n          }\n          territory {\n            name\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query CompanyList($first: Int!, $after: String, $filter: CompanyFilter, $orderBy: RecordOrder) {\n    companies(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          nip\n          tags\n          phones {\n            value\n            isPrimary\n          }\n          emails {\n            value\n            isPrimary\n          }\n          territory {\n            name\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PersonList($first: Int!, $after: String, $filter: PersonFilter, $orderBy: RecordOrder) {\n    persons(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          fullName\n          tags\n          phones {\n            value\n            isPrimary\n          }\n          emails {\n            value\n            isPrimary\n          }\n          employments {\n            position\n            isPrimary\n            company {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query PersonList($first: Int!, $after: String, $filter: PersonFilter, $orderBy: RecordOrder) {\n    persons(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          fullName\n          tags\n          phones {\n            value\n            isPrimary\n          }\n          emails {\n            value\n            isPrimary\n          }\n          employments {\n            position\n            isPrimary\n            company {\n              id\n              name\n            }\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Timeline($subject: ID!, $kinds: [String!], $first: Int!, $after: String) {\n    timeline(subject: $subject, kinds: $kinds, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          occurredAt\n          title\n          body\n          durationMinutes\n          author {\n            displayName\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Timeline($subject: ID!, $kinds: [String!], $first: Int!, $after: String) {\n    timeline(subject: $subject, kinds: $kinds, first: $first, after: $after) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          kind\n          occurredAt\n          title\n          body\n          durationMinutes\n          author {\n            displayName\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TimelineKinds {\n    timelineKinds {\n      name\n      label\n    }\n  }\n"): (typeof documents)["\n  query TimelineKinds {\n    timelineKinds {\n      name\n      label\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;