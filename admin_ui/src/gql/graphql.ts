/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** Date (isoformat) */
  Date: { input: string; output: string; }
  /** Date with time (isoformat) */
  DateTime: { input: string; output: string; }
  /** Decimal (fixed-point) */
  Decimal: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf). */
  JSON: { input: unknown; output: unknown; }
  /** Represents a file upload. */
  Upload: { input: any; output: any; }
};

export type AccessTokenCreateInput = {
  expiresAt?: InputMaybe<Scalars['DateTime']['input']>;
  name: Scalars['String']['input'];
  /** Limit the token to these permissions. */
  scopes?: Array<Scalars['String']['input']>;
  /** Another user's id (needs core.user.manage). */
  user?: InputMaybe<Scalars['ID']['input']>;
};

export type AccessTokenCreatePayload = {
  __typename?: 'AccessTokenCreatePayload';
  accessToken?: Maybe<AccessTokenNode>;
  /** The token: store it now, it is never shown again. */
  token?: Maybe<Scalars['String']['output']>;
  userErrors: Array<UserError>;
};

/** A personal access token (the token itself is shown only when created). */
export type AccessTokenNode = Node & {
  __typename?: 'AccessTokenNode';
  createdAt: Scalars['DateTime']['output'];
  expiresAt?: Maybe<Scalars['DateTime']['output']>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  lastUsedAt?: Maybe<Scalars['DateTime']['output']>;
  name: Scalars['String']['output'];
  /** The first characters of the token, to recognise it. */
  prefix: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Permissions the token is limited to; empty = all of the user's. */
  scopes: Array<Scalars['String']['output']>;
};

export type AccessTokenRevokePayload = {
  __typename?: 'AccessTokenRevokePayload';
  accessToken?: Maybe<AccessTokenNode>;
  userErrors: Array<UserError>;
};

export type AddressInput = {
  city?: Scalars['String']['input'];
  country?: Scalars['String']['input'];
  kind?: Scalars['String']['input'];
  notes?: Scalars['String']['input'];
  postalCode?: Scalars['String']['input'];
  street?: Scalars['String']['input'];
};

export type AddressType = {
  __typename?: 'AddressType';
  city: Scalars['String']['output'];
  country: Scalars['String']['output'];
  kind: Scalars['String']['output'];
  notes: Scalars['String']['output'];
  postalCode: Scalars['String']['output'];
  street: Scalars['String']['output'];
};

export type AttachmentDeletePayload = {
  __typename?: 'AttachmentDeletePayload';
  deletedId?: Maybe<Scalars['ID']['output']>;
  userErrors: Array<UserError>;
};

/** A file on a record (the current version). Files are uploaded with POST /plugins/core/attachments (multipart: subject, file, and replaces = this id for a new version); see the README, HTTP endpoints. */
export type AttachmentType = {
  __typename?: 'AttachmentType';
  contentType: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  fileName: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  sha256: Scalars['String']['output'];
  size: Scalars['Int']['output'];
  uploadedBy?: Maybe<UserNode>;
  /** Download address (send your token as with the API). */
  url: Scalars['String']['output'];
  version: Scalars['Int']['output'];
};

/** One change: who made it, when, to which record, and what changed. */
export type AuditEntryType = {
  __typename?: 'AuditEntryType';
  actorId?: Maybe<Scalars['String']['output']>;
  actorKind: Scalars['String']['output'];
  /** Changed fields as {field: [before, after]}. */
  changes: Scalars['JSON']['output'];
  /** The record's global id; null for events about no record, or one without a global id. */
  entity?: Maybe<Scalars['ID']['output']>;
  /** The kind of record: "company", "person", "opportunity"… */
  entityType: Scalars['String']['output'];
  event: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  occurredAt: Scalars['DateTime']['output'];
  payload: Scalars['JSON']['output'];
};

/** A connection to a list of items. */
export type AuditEntryTypeConnection = {
  __typename?: 'AuditEntryTypeConnection';
  /** Contains the nodes in this connection */
  edges: Array<AuditEntryTypeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type AuditEntryTypeEdge = {
  __typename?: 'AuditEntryTypeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: AuditEntryType;
};

/** One column of the board: a stage with its open opportunities. */
export type BoardColumn = {
  __typename?: 'BoardColumn';
  /** Open opportunities in the stage (all of them, not only this page). */
  count: Scalars['Int']['output'];
  /** The first page, newest first; ask `opportunities(filter: {stages: [stage]}, after: endCursor)` for the next. */
  opportunities: OpportunityConnection;
  stage: SalesStage;
  /** Their value in the reporting currency. */
  totalValue: Scalars['Decimal']['output'];
  /** Value times the stage's default probability. */
  weightedValue: Scalars['Decimal']['output'];
};

export type BoolFieldValue = CustomFieldValue & {
  __typename?: 'BoolFieldValue';
  bool: Scalars['Boolean']['output'];
  definition: CustomFieldDefinition;
};

export type CalendarFeedPayload = {
  __typename?: 'CalendarFeedPayload';
  /** Subscribe to it in Thunderbird or Outlook; shown once. */
  url?: Maybe<Scalars['String']['output']>;
  userErrors: Array<UserError>;
};

/** What came of a call. */
export type CallOutcome =
  | 'CALL_BACK'
  | 'NO_ANSWER'
  | 'REACHED'
  | 'WRONG_NUMBER';

export type CallOutcomeInput = {
  /** Required for CALL_BACK; for NO_ANSWER, when to try again (default: in 2 hours). */
  callBackAt?: InputMaybe<Scalars['DateTime']['input']>;
  durationMinutes?: Scalars['Int']['input'];
  id: Scalars['ID']['input'];
  notes?: Scalars['String']['input'];
  outcome: CallOutcome;
};

export type CallOutcomePayload = {
  __typename?: 'CallOutcomePayload';
  /** The call as logged on the timeline. */
  call?: Maybe<TimelineEntryType>;
  entry?: Maybe<CallQueueEntry>;
  userErrors: Array<UserError>;
};

/** A call to make to a client, for a user or a team. */
export type CallQueueEntry = Node & {
  __typename?: 'CallQueueEntry';
  /** Null when it is for a whole team. */
  assignee?: Maybe<UserNode>;
  /** Calls logged for this entry so far. */
  attempts: Scalars['Int']['output'];
  /** When an agent took it with `nextCall`. */
  claimedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The agent calling now. */
  claimedBy?: Maybe<UserNode>;
  closedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Null when none, or outside your area. */
  company?: Maybe<Company>;
  createdAt: Scalars['DateTime']['output'];
  dueAt: Scalars['DateTime']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  /** The last call logged, on the timeline. */
  lastCall?: Maybe<TimelineEntryType>;
  /** Unanswered calls after which the entry closes. */
  maxAttempts: Scalars['Int']['output'];
  /** Of the last call logged. */
  outcome?: Maybe<CallOutcome>;
  /** Null when none, or outside your area. */
  person?: Maybe<Person>;
  /** 1 is the most urgent, 5 the least. */
  priority: Scalars['Int']['output'];
  reason: Scalars['String']['output'];
  /** `manual`, `marketing.segment:<id>`, `<plugin>.<record>:<id>`… */
  source: Scalars['String']['output'];
  status: CallQueueStatus;
  team?: Maybe<TeamNode>;
};

/** A connection to a list of items. */
export type CallQueueEntryConnection = {
  __typename?: 'CallQueueEntryConnection';
  /** Contains the nodes in this connection */
  edges: Array<CallQueueEntryEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type CallQueueEntryEdge = {
  __typename?: 'CallQueueEntryEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: CallQueueEntry;
};

export type CallQueueEntryInput = {
  /** Defaults to you (unless a team is given). */
  assignee?: InputMaybe<Scalars['ID']['input']>;
  company?: InputMaybe<Scalars['ID']['input']>;
  /** Defaults to now. */
  dueAt?: InputMaybe<Scalars['DateTime']['input']>;
  maxAttempts?: Scalars['Int']['input'];
  person?: InputMaybe<Scalars['ID']['input']>;
  /** 1 is the most urgent, 5 the least. */
  priority?: Scalars['Int']['input'];
  reason: Scalars['String']['input'];
  team?: InputMaybe<Scalars['ID']['input']>;
};

export type CallQueueEntryPayload = {
  __typename?: 'CallQueueEntryPayload';
  entry?: Maybe<CallQueueEntry>;
  userErrors: Array<UserError>;
};

/** Where a queued call stands. */
export type CallQueueStatus =
  | 'CANCELLED'
  | 'DONE'
  | 'OPEN';

/** A message sent to a segment, personalised for each recipient. */
export type Campaign = Node & {
  __typename?: 'Campaign';
  /** Persons of the segment when the send started. */
  audienceSize: Scalars['Int']['output'];
  cost: Scalars['Decimal']['output'];
  createdAt: Scalars['DateTime']['output'];
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  html?: Maybe<Scalars['String']['output']>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** The consent each recipient must have given. */
  purpose: Scalars['String']['output'];
  ratePerMinute: Scalars['Int']['output'];
  scheduledAt?: Maybe<Scalars['DateTime']['output']>;
  segment?: Maybe<Segment>;
  startedAt?: Maybe<Scalars['DateTime']['output']>;
  /** draft, scheduled, sending, paused, finished or cancelled. */
  status: Scalars['String']['output'];
  subject: Scalars['String']['output'];
  text: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type CampaignConnection = {
  __typename?: 'CampaignConnection';
  /** Contains the nodes in this connection */
  edges: Array<CampaignEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type CampaignEdge = {
  __typename?: 'CampaignEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: Campaign;
};

export type CampaignInput = {
  cost?: Scalars['Decimal']['input'];
  message: MessageInput;
  name: Scalars['String']['input'];
  /** The consent each recipient must have given. */
  purpose?: Scalars['String']['input'];
  ratePerMinute?: Scalars['Int']['input'];
  segment: Scalars['ID']['input'];
};

export type CampaignPayload = {
  __typename?: 'CampaignPayload';
  campaign?: Maybe<Campaign>;
  userErrors: Array<UserError>;
};

export type CampaignScheduleInput = {
  /** With its time zone; none: now. */
  at?: InputMaybe<Scalars['DateTime']['input']>;
  ratePerMinute?: InputMaybe<Scalars['Int']['input']>;
};

/** What a campaign achieved so far. */
export type CampaignStats = {
  __typename?: 'CampaignStats';
  audience: Scalars['Int']['output'];
  bounced: Scalars['Int']['output'];
  cancelled: Scalars['Int']['output'];
  /** Recipients who clicked per delivered message. */
  clickRate?: Maybe<Scalars['Decimal']['output']>;
  /** Recipients who clicked at least one link. */
  clicked: Scalars['Int']['output'];
  clicks: Scalars['Int']['output'];
  cost: Scalars['Decimal']['output'];
  currency: Scalars['String']['output'];
  /** Deals won from recipients within 90 days of their message. */
  deals: Scalars['Int']['output'];
  /** Accepted by the mail server and not bounced. */
  delivered: Scalars['Int']['output'];
  failed: Scalars['Int']['output'];
  /** Not yet queued. */
  pending: Scalars['Int']['output'];
  /** Queued, not yet accepted by the mail server. */
  queued: Scalars['Int']['output'];
  replied: Scalars['Int']['output'];
  /** (revenue - cost) / cost; null without cost. */
  returnOnInvestment?: Maybe<Scalars['Decimal']['output']>;
  revenue: Scalars['Decimal']['output'];
  skipped: Array<SkipCount>;
  unsubscribed: Scalars['Int']['output'];
};

export type CampaignUpdateInput = {
  cost?: InputMaybe<Scalars['Decimal']['input']>;
  message?: InputMaybe<MessageInput>;
  name?: InputMaybe<Scalars['String']['input']>;
  ratePerMinute?: InputMaybe<Scalars['Int']['input']>;
  segment?: InputMaybe<Scalars['ID']['input']>;
};

/** One change to a record the caller may see. */
export type Change = {
  __typename?: 'Change';
  /** The company as it is now (for MERGED, the survivor); null when deleted or not a company. */
  company?: Maybe<Company>;
  entity: SyncEntity;
  /** The record's global id; for MERGED the id merged away, which the client drops. */
  id: Scalars['ID']['output'];
  /** For MERGED: the record that `id` became (its current state is in `company` / `person`). */
  mergedInto?: Maybe<Scalars['ID']['output']>;
  occurredAt: Scalars['DateTime']['output'];
  operation: ChangeOperation;
  /** The person as they are now (for MERGED, the survivor); null when deleted or not a person. */
  person?: Maybe<Person>;
};

export type ChangeOperation =
  | 'CREATED'
  | 'DELETED'
  /** `id` was merged into `mergedInto`: drop `id`; the survivor rides along. */
  | 'MERGED'
  /** A first sync (`since: null`): the record as it is now, before the changes. */
  | 'SNAPSHOT'
  | 'UPDATED';

/** A batch of changes and the cursor to ask for the next one. */
export type ChangeSet = {
  __typename?: 'ChangeSet';
  changes: Array<Change>;
  /** Pass it as `since` next time (also when nothing changed). */
  cursor: Scalars['String']['output'];
  hasMore: Scalars['Boolean']['output'];
};

export type ChoiceFieldValue = CustomFieldValue & {
  __typename?: 'ChoiceFieldValue';
  choice: Scalars['String']['output'];
  definition: CustomFieldDefinition;
};

/** A company in the client file (a lead, a customer, a partner or a supplier). */
export type Company = Node & {
  __typename?: 'Company';
  addresses: Array<AddressType>;
  classification: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** One custom field's typed value; null when empty or unknown. Requires a signed-in actor. */
  customField?: Maybe<CustomFieldValue>;
  /** Custom field values by key; sensitive ones only for those who may see them. */
  customFields: Scalars['JSON']['output'];
  emails: Array<ContactPointType>;
  /** People working at this company. */
  employees: EmploymentConnection;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  kind: CounterpartyKind;
  /** The most recent entry of the timeline. Requires permission `core.company.read`. */
  lastActivity?: Maybe<TimelineEntryType>;
  lifecycle: Lifecycle;
  name: Scalars['String']['output'];
  /** Polish tax identification number, 10 digits. */
  nip?: Maybe<Scalars['String']['output']>;
  /** Open opportunities with this company you may see, newest first. Requires permission `sales.opportunity.read`. */
  openOpportunities: Array<Opportunity>;
  /** The staff user responsible for this record. */
  owner?: Maybe<UserNode>;
  /** Phone numbers in E.164 form. */
  phones: Array<ContactPointType>;
  preferredLanguage: Scalars['String']['output'];
  /** What qualifying the lead found out. */
  qualification: Scalars['JSON']['output'];
  regon?: Maybe<Scalars['String']['output']>;
  status: Scalars['String']['output'];
  /** Segment labels. */
  tags: Array<Scalars['String']['output']>;
  territory?: Maybe<TerritoryNode>;
  updatedAt: Scalars['DateTime']['output'];
  website: Scalars['String']['output'];
};


/** A company in the client file (a lead, a customer, a partner or a supplier). */
export type CompanyCustomFieldArgs = {
  key: Scalars['String']['input'];
};


/** A company in the client file (a lead, a customer, a partner or a supplier). */
export type CompanyEmployeesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** A connection to a list of items. */
export type CompanyConnection = {
  __typename?: 'CompanyConnection';
  /** Contains the nodes in this connection */
  edges: Array<CompanyEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

export type CompanyCreateInput = {
  addresses?: Array<AddressInput>;
  classification?: Scalars['String']['input'];
  /** Values by custom field key. */
  customFields?: InputMaybe<Scalars['JSON']['input']>;
  emails?: Array<ContactPointInput>;
  kind?: CounterpartyKind;
  lifecycle?: Lifecycle;
  name: Scalars['String']['input'];
  nip?: InputMaybe<Scalars['String']['input']>;
  /** Defaults to you. */
  owner?: InputMaybe<Scalars['ID']['input']>;
  phones?: Array<ContactPointInput>;
  preferredLanguage?: Scalars['String']['input'];
  qualification?: InputMaybe<Scalars['JSON']['input']>;
  regon?: InputMaybe<Scalars['String']['input']>;
  status?: Scalars['String']['input'];
  tags?: Array<Scalars['String']['input']>;
  /** Territory code. */
  territory?: InputMaybe<Scalars['String']['input']>;
  website?: Scalars['String']['input'];
};

/** An edge in a connection. */
export type CompanyEdge = {
  __typename?: 'CompanyEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: Company;
};

export type CompanyFilter = {
  customFields?: InputMaybe<Array<CustomFieldFilter>>;
  kind?: InputMaybe<CounterpartyKind>;
  lifecycle?: InputMaybe<Lifecycle>;
  nameContains?: InputMaybe<Scalars['String']['input']>;
  owner?: InputMaybe<Scalars['ID']['input']>;
  tag?: InputMaybe<Scalars['String']['input']>;
  /** Territory code. */
  territory?: InputMaybe<Scalars['String']['input']>;
};

export type CompanyPayload = {
  __typename?: 'CompanyPayload';
  company?: Maybe<Company>;
  userErrors: Array<UserError>;
};

/** Only the fields given change; lists given replace the old ones. */
export type CompanyUpdateInput = {
  addresses?: InputMaybe<Array<AddressInput>>;
  classification?: InputMaybe<Scalars['String']['input']>;
  /** Keys given change; a null value clears that field. */
  customFields?: InputMaybe<Scalars['JSON']['input']>;
  emails?: InputMaybe<Array<ContactPointInput>>;
  kind?: InputMaybe<CounterpartyKind>;
  lifecycle?: InputMaybe<Lifecycle>;
  name?: InputMaybe<Scalars['String']['input']>;
  nip?: InputMaybe<Scalars['String']['input']>;
  /** The id of a user; null removes the owner, leaving it out keeps it. */
  owner?: InputMaybe<Scalars['ID']['input']>;
  phones?: InputMaybe<Array<ContactPointInput>>;
  preferredLanguage?: InputMaybe<Scalars['String']['input']>;
  qualification?: InputMaybe<Scalars['JSON']['input']>;
  regon?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<Scalars['String']['input']>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  territory?: InputMaybe<Scalars['String']['input']>;
  website?: InputMaybe<Scalars['String']['input']>;
};

/** A competitor fighting for the same deal (F23). */
export type Competitor = {
  __typename?: 'Competitor';
  name: Scalars['String']['output'];
  /** Their offered price, when known. */
  price?: Maybe<Scalars['Decimal']['output']>;
  strengths: Scalars['String']['output'];
  weaknesses: Scalars['String']['output'];
};

export type CompetitorInput = {
  name: Scalars['String']['input'];
  price?: InputMaybe<Scalars['Decimal']['input']>;
  strengths?: Scalars['String']['input'];
  weaknesses?: Scalars['String']['input'];
};

export type ConsentInput = {
  /** email, phone, sms, post or any. */
  channel: Scalars['String']['input'];
  person: Scalars['ID']['input'];
  /** What for, e.g. "marketing" or "newsletter". */
  purpose: Scalars['String']['input'];
  /** How it was obtained, e.g. a web form. */
  source?: Scalars['String']['input'];
};

/** A consent a form offers, with the text the visitor sees. */
export type ConsentOffer = {
  __typename?: 'ConsentOffer';
  channel: Scalars['String']['output'];
  purpose: Scalars['String']['output'];
  text: Scalars['String']['output'];
};

export type ConsentOfferInput = {
  channel?: Scalars['String']['input'];
  /** The consent recorded when ticked, e.g. marketing. */
  purpose: Scalars['String']['input'];
  /** What the visitor agrees to, as the page shows it. */
  text: Scalars['String']['input'];
};

export type ConsentPayload = {
  __typename?: 'ConsentPayload';
  person?: Maybe<Person>;
  userErrors: Array<UserError>;
};

/** Consent to be contacted for a purpose over a channel. */
export type ConsentType = {
  __typename?: 'ConsentType';
  active: Scalars['Boolean']['output'];
  channel: Scalars['String']['output'];
  givenAt: Scalars['DateTime']['output'];
  purpose: Scalars['String']['output'];
  source: Scalars['String']['output'];
  withdrawnAt?: Maybe<Scalars['DateTime']['output']>;
};

export type ContactPointInput = {
  isPrimary?: Scalars['Boolean']['input'];
  label?: Scalars['String']['input'];
  value: Scalars['String']['input'];
};

/** An e-mail address or a phone number (E.164). */
export type ContactPointType = {
  __typename?: 'ContactPointType';
  isPrimary: Scalars['Boolean']['output'];
  label: Scalars['String']['output'];
  value: Scalars['String']['output'];
};

/** What kind of counterparty this is. */
export type CounterpartyKind =
  | 'B2B'
  | 'B2C'
  | 'PARTNER'
  | 'SUPPLIER';

export type CustomFieldDefineInput = {
  /** `company`, `person`, or another of `customFieldEntities`. */
  entity: Scalars['String']['input'];
  /** Lower-case letters, digits and _; never changes. */
  key: Scalars['String']['input'];
  kind: Scalars['String']['input'];
  labelEn: Scalars['String']['input'];
  labelPl: Scalars['String']['input'];
  /** {"choices": [...]}, {"min": 0}, {"entity": "company"} */
  options?: InputMaybe<Scalars['JSON']['input']>;
  required?: Scalars['Boolean']['input'];
  /** Hide the values from those without `core.personal_data.read`. */
  sensitive?: Scalars['Boolean']['input'];
};

/** A field an administrator added to companies or persons. */
export type CustomFieldDefinition = {
  __typename?: 'CustomFieldDefinition';
  archived: Scalars['Boolean']['output'];
  entity: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  key: Scalars['String']['output'];
  /** text, number, decimal, date, bool, choice, multi_choice, email, url, phone or reference. */
  kind: Scalars['String']['output'];
  /** The label in the language of the request. */
  label: Scalars['String']['output'];
  labelEn: Scalars['String']['output'];
  labelPl: Scalars['String']['output'];
  options: Scalars['JSON']['output'];
  required: Scalars['Boolean']['output'];
  /** Values are shown only to those with the permission `core.personal_data.read`. */
  sensitive: Scalars['Boolean']['output'];
};

/** Something custom fields can be added to: companies, persons, or a plugin's records. */
export type CustomFieldEntityType = {
  __typename?: 'CustomFieldEntityType';
  /** In the language of the request. */
  label: Scalars['String']['output'];
  name: Scalars['String']['output'];
};

/** A condition on a custom field, e.g. {key: "employees", op: GTE, value: 50}. */
export type CustomFieldFilter = {
  key: Scalars['String']['input'];
  op?: CustomFieldOperator;
  value?: InputMaybe<Scalars['JSON']['input']>;
};

export type CustomFieldOperator =
  /** A multi_choice field holds the choice `value`. For text use CONTAINS_TEXT. */
  | 'CONTAINS'
  /** A text, email, url or phone field contains `value`, ignoring case (Ł and ł alike); % and _ are plain characters. */
  | 'CONTAINS_TEXT'
  /** Equal to `value`. */
  | 'EQ'
  /** Greater than `value` (number, decimal, date, text). */
  | 'GT'
  /** Greater than or equal to `value` (number, decimal, date, text). */
  | 'GTE'
  /** Equal to one of `value`, a non-empty list. */
  | 'IN'
  /** `value: true`: the field has no value; `value: false`: it has one. */
  | 'IS_NULL'
  /** Less than `value` (number, decimal, date, text). */
  | 'LT'
  /** Less than or equal to `value` (number, decimal, date, text). */
  | 'LTE'
  /** Not equal to `value` (records without a value do not match). */
  | 'NEQ';

export type CustomFieldPayload = {
  __typename?: 'CustomFieldPayload';
  definition?: Maybe<CustomFieldDefinition>;
  userErrors: Array<UserError>;
};

/** Labels and options may change (choices only grow); key and kind never do. */
export type CustomFieldUpdateInput = {
  /** Archived fields keep their data. */
  archived?: InputMaybe<Scalars['Boolean']['input']>;
  labelEn?: InputMaybe<Scalars['String']['input']>;
  labelPl?: InputMaybe<Scalars['String']['input']>;
  options?: InputMaybe<Scalars['JSON']['input']>;
  sensitive?: InputMaybe<Scalars['Boolean']['input']>;
};

/** The typed value of one custom field. */
export type CustomFieldValue = {
  definition: CustomFieldDefinition;
};

export type DateFieldValue = CustomFieldValue & {
  __typename?: 'DateFieldValue';
  date: Scalars['Date']['output'];
  definition: CustomFieldDefinition;
};

/** A job or event delivery that failed after all its retries. */
export type DeadLetter = Node & {
  __typename?: 'DeadLetter';
  attempts: Scalars['Int']['output'];
  failedAt?: Maybe<Scalars['DateTime']['output']>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  /** `event` or `job`. */
  messageKind: Scalars['String']['output'];
  /** Event or job name. */
  messageName: Scalars['String']['output'];
  payload: Scalars['JSON']['output'];
  /** `job.<name>` or `sub.<subscriber>`. */
  target: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type DeadLetterConnection = {
  __typename?: 'DeadLetterConnection';
  /** Contains the nodes in this connection */
  edges: Array<DeadLetterEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type DeadLetterEdge = {
  __typename?: 'DeadLetterEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: DeadLetter;
};

export type DeadLetterRetryPayload = {
  __typename?: 'DeadLetterRetryPayload';
  deadLetterId?: Maybe<Scalars['ID']['output']>;
  userErrors: Array<UserError>;
};

export type DecimalFieldValue = CustomFieldValue & {
  __typename?: 'DecimalFieldValue';
  decimal: Scalars['Decimal']['output'];
  definition: CustomFieldDefinition;
};

export type DeletePayload = {
  __typename?: 'DeletePayload';
  deletedId?: Maybe<Scalars['ID']['output']>;
  userErrors: Array<UserError>;
};

/** A person's position at a company. */
export type Employment = {
  __typename?: 'Employment';
  /** Null when the company is outside your area. */
  company?: Maybe<Company>;
  isPrimary: Scalars['Boolean']['output'];
  /** Null when the person is outside your area. */
  person?: Maybe<Person>;
  position: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type EmploymentConnection = {
  __typename?: 'EmploymentConnection';
  /** Contains the nodes in this connection */
  edges: Array<EmploymentEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type EmploymentEdge = {
  __typename?: 'EmploymentEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: Employment;
};

export type EmploymentInput = {
  company: Scalars['ID']['input'];
  isPrimary?: Scalars['Boolean']['input'];
  position?: Scalars['String']['input'];
};

/** A payload field a condition can test. */
export type EventFieldInfo = {
  __typename?: 'EventFieldInfo';
  /** number, text, boolean, datetime, list, object or any. */
  kind: Scalars['String']['output'];
  name: Scalars['String']['output'];
  nullable: Scalars['Boolean']['output'];
  operators: Array<Scalars['String']['output']>;
};

/** An event a rule can react to. */
export type EventTypeInfo = {
  __typename?: 'EventTypeInfo';
  fields: Array<EventFieldInfo>;
  name: Scalars['String']['output'];
  plugin: Scalars['String']['output'];
};

export type FlowInterval =
  | 'DAY'
  | 'MONTH'
  | 'QUARTER'
  | 'WEEK';

export type FollowPayload = {
  __typename?: 'FollowPayload';
  following?: Maybe<Scalars['Boolean']['output']>;
  userErrors: Array<UserError>;
};

/** Plan vs forecast vs actual for a period, in the reporting currency. */
export type Forecast = {
  __typename?: 'Forecast';
  actualDeals: Scalars['Int']['output'];
  /** Won in the period so far. */
  actualValue: Scalars['Decimal']['output'];
  currency: Scalars['String']['output'];
  expectedDeals: Scalars['Float']['output'];
  /** Expected from open deals by the period's end. */
  expectedValue: Scalars['Decimal']['output'];
  /** actualValue + expectedValue. */
  forecastValue: Scalars['Decimal']['output'];
  owners: Array<OwnerForecast>;
  periodEnd: Scalars['Date']['output'];
  periodStart: Scalars['Date']['output'];
  /** Plans set for exactly this period (rep or team). */
  planValue?: Maybe<Scalars['Decimal']['output']>;
  stages: Array<ForecastStage>;
};

/** What the forecast assumed for a stage. */
export type ForecastStage = {
  __typename?: 'ForecastStage';
  /** Closed deals of the process that reached the stage. */
  closedSample: Scalars['Int']['output'];
  /** Average days from entering the stage to a win. */
  daysToWin?: Maybe<Scalars['Float']['output']>;
  /** Open deals expected to be won within the period. */
  expectedDeals: Scalars['Float']['output'];
  expectedValue: Scalars['Decimal']['output'];
  /** False: too few closed deals, the default probability is used. */
  historical: Scalars['Boolean']['output'];
  openCount: Scalars['Int']['output'];
  stage: SalesStage;
  /** Used for the stage's open deals. */
  winRate: Scalars['Float']['output'];
};

export type FormInput = {
  /** https://www.example.pl and the like. */
  allowedOrigins?: Array<Scalars['String']['input']>;
  consents?: Array<ConsentOfferInput>;
  /** Of: email, first_name, last_name, phone, company, nip, position, message, territory. The e-mail address is always asked. */
  fields?: Array<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  required?: Array<Scalars['String']['input']>;
  survey?: Array<SurveyQuestionInput>;
  /** A territory code its leads belong to. */
  territory?: InputMaybe<Scalars['String']['input']>;
};

export type FormPayload = {
  __typename?: 'FormPayload';
  form?: Maybe<WebForm>;
  userErrors: Array<UserError>;
};

/** What a visitor sent through a form, as sent. */
export type FormSubmission = Node & {
  __typename?: 'FormSubmission';
  /** Survey answers by question key. */
  answers: Scalars['JSON']['output'];
  company?: Maybe<Company>;
  /** The purposes the visitor agreed to. */
  consents: Array<Scalars['String']['output']>;
  email: Scalars['String']['output'];
  error: Scalars['String']['output'];
  form?: Maybe<WebForm>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  /** How the person and company were found: {"person": {"how", "score"}}. */
  matched: Scalars['JSON']['output'];
  /** The lead, once processed. */
  person?: Maybe<Person>;
  processedAt?: Maybe<Scalars['DateTime']['output']>;
  receivedAt: Scalars['DateTime']['output'];
  /** received, processed or failed (retried by a job). */
  status: Scalars['String']['output'];
  /** The form's fields, by name. */
  values: Scalars['JSON']['output'];
};

/** A connection to a list of items. */
export type FormSubmissionConnection = {
  __typename?: 'FormSubmissionConnection';
  /** Contains the nodes in this connection */
  edges: Array<FormSubmissionEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type FormSubmissionEdge = {
  __typename?: 'FormSubmissionEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: FormSubmission;
};

export type Funnel = {
  __typename?: 'Funnel';
  /** Opening to winning, deals won in the period. */
  averageCycleDays?: Maybe<Scalars['Float']['output']>;
  averageWonValue?: Maybe<Scalars['Decimal']['output']>;
  lost: Scalars['Int']['output'];
  /** Opportunities opened in the period. */
  opened: Scalars['Int']['output'];
  openedValue: Scalars['Decimal']['output'];
  /** wonOfOpened / opened. */
  overallConversion?: Maybe<Scalars['Float']['output']>;
  stages: Array<FunnelStage>;
  /** Won / (won + lost), closed in the period. */
  winRate?: Maybe<Scalars['Float']['output']>;
  /** Deals won in the period. */
  won: Scalars['Int']['output'];
  /** Of the opportunities opened in the period, won by now. */
  wonOfOpened: Scalars['Int']['output'];
  wonValue: Scalars['Decimal']['output'];
};

/** A stage of the funnel. */
export type FunnelStage = {
  __typename?: 'FunnelStage';
  /** Share of those that reached the next stage (from the last stage: that were won). */
  conversionToNext?: Maybe<Scalars['Float']['output']>;
  /** Open opportunities in the stage now. */
  openCount: Scalars['Int']['output'];
  openValue: Scalars['Decimal']['output'];
  /** Opportunities opened in the period that reached this stage or a later one (won ones reach all). */
  reached: Scalars['Int']['output'];
  stage: SalesStage;
  /** Open value times the stage's default probability. */
  weightedValue: Scalars['Decimal']['output'];
};

/** A holiday of the Polish calendar an occasion can be tied to. */
export type HolidayDay = {
  __typename?: 'HolidayDay';
  code: Scalars['String']['output'];
  day: Scalars['Date']['output'];
  name: Scalars['String']['output'];
};

/** Read a column of the file as a field (adds to the recognised headers). */
export type ImportColumnInput = {
  /** The header of the column, as in the file. */
  column: Scalars['String']['input'];
  /** The field, e.g. name, nip, email, phone, last_name, company_nip. */
  field: Scalars['String']['input'];
};

/** The outcome of an import: all rows kept, or none. */
export type ImportPayload = {
  __typename?: 'ImportPayload';
  /** True when the rows were saved (no row failed, no dry run). */
  committed: Scalars['Boolean']['output'];
  /** Rows that are new records (or would be, when nothing was kept). */
  created: Scalars['Int']['output'];
  dryRun: Scalars['Boolean']['output'];
  failed: Scalars['Int']['output'];
  rows: Array<ImportRow>;
  /** Rows that duplicate a record already in the file. */
  skipped: Scalars['Int']['output'];
  /** Problems with the file or the mapping as a whole. */
  userErrors: Array<UserError>;
};

/** One row of the file (row 1 is the first row under the header). */
export type ImportRow = {
  __typename?: 'ImportRow';
  /** What is wrong with the row; field is its path. */
  errors: Array<UserError>;
  /** The duplicate found or the record created; null until the import is kept, and for records outside your area. */
  recordId?: Maybe<Scalars['ID']['output']>;
  row: Scalars['Int']['output'];
  /** CREATED: a new record (on a dry run or a refused import: would be); SKIPPED: a duplicate of recordId, left as it is; FAILED: see errors. */
  status: ImportRowStatus;
};

/** What the import did with one row. */
export type ImportRowStatus =
  | 'CREATED'
  | 'FAILED'
  | 'SKIPPED';

/** A message read from an IMAP mailbox. */
export type IncomingMail = Node & {
  __typename?: 'IncomingMail';
  attachments: Array<IncomingMailAttachment>;
  /** For a bounce: the Message-IDs of our messages that failed. */
  bounceOf: Array<Scalars['String']['output']>;
  cc: Array<Scalars['String']['output']>;
  failedRecipients: Array<Scalars['String']['output']>;
  fromAddress: Scalars['String']['output'];
  fromName: Scalars['String']['output'];
  htmlBody?: Maybe<Scalars['String']['output']>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  inReplyTo: Scalars['String']['output'];
  mailbox: Scalars['String']['output'];
  messageId: Scalars['String']['output'];
  receivedAt: Scalars['DateTime']['output'];
  references: Array<Scalars['String']['output']>;
  /** The Date header. */
  sentAt?: Maybe<Scalars['DateTime']['output']>;
  size: Scalars['Int']['output'];
  status: IncomingMailStatus;
  subject: Scalars['String']['output'];
  /** The text part, or the HTML part converted to text. */
  textBody: Scalars['String']['output'];
  /** The Message-ID the conversation started with. */
  threadKey: Scalars['String']['output'];
  to: Array<Scalars['String']['output']>;
};

export type IncomingMailAssignPayload = {
  __typename?: 'IncomingMailAssignPayload';
  incomingMail?: Maybe<IncomingMail>;
  userErrors: Array<UserError>;
};

/** A file attached to an incoming message. */
export type IncomingMailAttachment = {
  __typename?: 'IncomingMailAttachment';
  contentType: Scalars['String']['output'];
  fileName: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Empty when the file was over the size limit and not kept. */
  sha256: Scalars['String']['output'];
  size: Scalars['Int']['output'];
  /** Download address (send your token as with the API); null when not kept. */
  url?: Maybe<Scalars['String']['output']>;
};

/** A connection to a list of items. */
export type IncomingMailConnection = {
  __typename?: 'IncomingMailConnection';
  /** Contains the nodes in this connection */
  edges: Array<IncomingMailEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type IncomingMailEdge = {
  __typename?: 'IncomingMailEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: IncomingMail;
};

/** Where an incoming message stands. */
export type IncomingMailStatus =
  | 'ASSIGNED'
  | 'BOUNCE'
  | 'LOGGED'
  | 'UNMATCHED';

/** A lead becomes an opportunity. Name existing records or describe new ones; a new company with a known NIP or name, or a new person with a known e-mail, is matched to the record the CRM has. */
export type LeadConvertInput = {
  company?: InputMaybe<Scalars['ID']['input']>;
  currency?: InputMaybe<Scalars['String']['input']>;
  expectedCloseDate?: InputMaybe<Scalars['Date']['input']>;
  name: Scalars['String']['input'];
  newCompany?: InputMaybe<NewCompanyInput>;
  newPerson?: InputMaybe<NewPersonInput>;
  person?: InputMaybe<Scalars['ID']['input']>;
  process: Scalars['ID']['input'];
  source?: InputMaybe<Scalars['String']['input']>;
  value?: Scalars['Decimal']['input'];
};

export type LeadQualifyInput = {
  company?: InputMaybe<Scalars['ID']['input']>;
  person?: InputMaybe<Scalars['ID']['input']>;
  /** What qualifying found out: need, budget, timing… */
  qualification: Scalars['JSON']['input'];
};

export type LeadQualifyPayload = {
  __typename?: 'LeadQualifyPayload';
  qualified: Scalars['Boolean']['output'];
  userErrors: Array<UserError>;
};

/** Where the counterparty stands: leads are qualified, then become customers. */
export type Lifecycle =
  | 'CUSTOMER'
  | 'FORMER'
  | 'LEAD'
  | 'QUALIFIED';

/** One header of a message. */
export type MailHeader = {
  __typename?: 'MailHeader';
  name: Scalars['String']['output'];
  value: Scalars['String']['output'];
};

/** A web lead that may be a record the CRM has: a person decides. */
export type MergeCandidate = Node & {
  __typename?: 'MergeCandidate';
  createdAt: Scalars['DateTime']['output'];
  /** The existing company it resembles. */
  existingCompany?: Maybe<Company>;
  /** The existing person it resembles. */
  existingPerson?: Maybe<Person>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  /** person or company. */
  kind: Scalars['String']['output'];
  /** The record the web lead created (a company). */
  newCompany?: Maybe<Company>;
  /** The record the web lead created (a person). */
  newPerson?: Maybe<Person>;
  reasons: Array<Scalars['String']['output']>;
  resolvedAt?: Maybe<Scalars['DateTime']['output']>;
  /** 0 to 100: how alike the two records are. */
  score: Scalars['Int']['output'];
  /** open, merged or kept_apart. */
  status: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type MergeCandidateConnection = {
  __typename?: 'MergeCandidateConnection';
  /** Contains the nodes in this connection */
  edges: Array<MergeCandidateEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type MergeCandidateEdge = {
  __typename?: 'MergeCandidateEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: MergeCandidate;
};

export type MergeCandidatePayload = {
  __typename?: 'MergeCandidatePayload';
  mergeCandidate?: Maybe<MergeCandidate>;
  userErrors: Array<UserError>;
};

/** What to do with a merge candidate. */
export type MergeDecision =
  | 'KEEP_APART'
  | 'MERGE';

export type MergeInput = {
  /** The duplicate; its id will resolve to the winner. */
  loser: Scalars['ID']['input'];
  /** The record that stays. */
  winner: Scalars['ID']['input'];
};

/** Templates in Jinja2 syntax; `{{ recipient.first_name }}` and the like. */
export type MessageInput = {
  html?: InputMaybe<Scalars['String']['input']>;
  subject: Scalars['String']['input'];
  text: Scalars['String']['input'];
};

/** A message as one recipient gets it. */
export type MessagePreview = {
  __typename?: 'MessagePreview';
  headers: Array<MailHeader>;
  html?: Maybe<Scalars['String']['output']>;
  subject: Scalars['String']['output'];
  text: Scalars['String']['output'];
  to: Scalars['String']['output'];
};

export type MultiChoiceFieldValue = CustomFieldValue & {
  __typename?: 'MultiChoiceFieldValue';
  choices: Array<Scalars['String']['output']>;
  definition: CustomFieldDefinition;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Create a personal access token (for yourself unless `user` is given). Requires a signed-in actor. */
  accessTokenCreate: AccessTokenCreatePayload;
  /** Revoke an access token; it stops working at once. Requires a signed-in actor. */
  accessTokenRevoke: AccessTokenRevokePayload;
  /** Remove a file from its record. Requires a signed-in actor. */
  attachmentDelete: AttachmentDeletePayload;
  /** A new secret iCalendar address for your tasks (old ones stop). Requires a signed-in actor. */
  calendarFeedCreate: CalendarFeedPayload;
  /** Give an open call to a user or a team. Requires permission `core.call_queue.assign`. */
  callQueueEntryAssign: CallQueueEntryPayload;
  /** Take an open call off the queue. Requires permission `core.call_queue.work`. */
  callQueueEntryCancel: CallQueueEntryPayload;
  /** Queue a call (for yourself; for others or a team with core.call_queue.assign). Requires permission `core.call_queue.work`. */
  callQueueEntryCreate: CallQueueEntryPayload;
  /** Log what came of a call: on the client's timeline, and closing, rescheduling or retrying it. Requires permission `core.call_queue.work`. */
  callQueueEntryLogOutcome: CallOutcomePayload;
  /** Stop for good; messages still queued are not sent. Requires permission `marketing.campaign.send`. */
  campaignCancel: CampaignPayload;
  /** Write a campaign as a draft; its templates are checked. Requires permission `marketing.campaign.manage`. */
  campaignCreate: CampaignPayload;
  /** Stop queuing messages until resumed. Requires permission `marketing.campaign.send`. */
  campaignPause: CampaignPayload;
  /** Requires permission `marketing.campaign.send`. */
  campaignResume: CampaignPayload;
  /** Send now or at a time; refused (NO_CONSENTED_RECIPIENTS) when nobody may receive it. Requires permission `marketing.campaign.send`. */
  campaignSchedule: CampaignPayload;
  /** Change a draft; cost and rate may change at any time. Requires permission `marketing.campaign.manage`. */
  campaignUpdate: CampaignPayload;
  /** Import companies from a CSV file (all rows or none; duplicates by NIP, e-mail, phone skipped). Requires permission `core.company.write`. */
  companiesImport: ImportPayload;
  /** Add a company to the client file. Requires permission `core.company.write`. */
  companyCreate: CompanyPayload;
  /** Remove a company from every list (kept for the records). Requires permission `core.company.delete`. */
  companyDelete: DeletePayload;
  /** Merge a duplicate company into another one. Requires permission `core.company.write`. */
  companyMerge: CompanyPayload;
  /** Change a company in your area. Requires permission `core.company.write`. */
  companyUpdate: CompanyPayload;
  /** Record that a person gave consent. Requires permission `core.consent.manage`. */
  consentGive: ConsentPayload;
  /** Record that a person withdrew consent. Requires permission `core.consent.manage`. */
  consentWithdraw: ConsentPayload;
  /** Add a custom field to companies or persons. Requires permission `core.custom_field.manage`. */
  customFieldDefine: CustomFieldPayload;
  /** Rename, add choices to, archive or restore a custom field. Requires permission `core.custom_field.manage`. */
  customFieldUpdate: CustomFieldPayload;
  /** Queue a dead letter again with a fresh retry budget. Requires permission `core.jobs.manage`. */
  deadLetterRetry: DeadLetterRetryPayload;
  /** Define a web form; its public key is made for it. Requires permission `marketing.form.manage`. */
  formCreate: FormPayload;
  /** Close a form (its posts are refused) or open it again. Requires permission `marketing.form.manage`. */
  formSetActive: FormPayload;
  /** Log an unmatched message on a company's and/or person's timeline (takes it off the queue). Requires permission `core.mail.manage`. */
  incomingMailAssign: IncomingMailAssignPayload;
  /** Convert a lead into an opportunity with a company and a person, reusing matching records. Requires permission `sales.opportunity.write`. */
  leadConvert: OpportunityPayload;
  /** Mark a lead qualified and keep what qualification found. Requires permission `sales.opportunity.write`. */
  leadQualify: LeadQualifyPayload;
  /** MERGE the new record into the existing one, or KEEP_APART. Requires permission `marketing.lead.merge`. */
  mergeCandidateResolve: MergeCandidatePayload;
  /** Take the next call to make: yours or your team's, due now, most urgent first. Null when none is due; your unfinished one comes back until you log its outcome. Requires permission `core.call_queue.work`. */
  nextCall: CallQueueEntryPayload;
  /** Choose how your notifications reach you, and your time zone. Requires a signed-in actor. */
  notificationSettingsUpdate: NotificationSettingsPayload;
  /** Mark some (ids) or all (all: true) of your notifications read. Requires a signed-in actor. */
  notificationsMarkRead: NotificationsMarkReadPayload;
  /** Register an OAuth client; its secret is shown once. Requires permission `core.oauth_client.manage`. */
  oauthClientCreate: OAuthClientPayload;
  /** Give a confidential client a new secret; the old one stops. Requires permission `core.oauth_client.manage`. */
  oauthClientRotateSecret: OAuthClientPayload;
  /** Change a client's redirect URIs, grants, scopes or status. Requires permission `core.oauth_client.manage`. */
  oauthClientUpdate: OAuthClientPayload;
  /** Greet on birthdays or a holiday, every year, by itself. Requires permission `marketing.campaign.manage`. */
  occasionCreate: OccasionPayload;
  /** Requires permission `marketing.campaign.manage`. */
  occasionSetActive: OccasionPayload;
  /** Open an opportunity in a sales process. Requires permission `sales.opportunity.write`. */
  opportunityCreate: OpportunityPayload;
  /** Remove an open opportunity entered by mistake. Requires permission `sales.opportunity.write`. */
  opportunityDelete: DeletePayload;
  /** Log a contact about the opportunity: it lands on the client's timeline with the current stage. Requires permission `sales.opportunity.write`. */
  opportunityLogContact: OpportunityContactPayload;
  /** Close an opportunity as lost, saying why. Requires permission `sales.opportunity.write`. */
  opportunityLose: OpportunityPayload;
  /** Move an open opportunity to another stage of its process. Requires permission `sales.opportunity.write`. */
  opportunityMove: OpportunityPayload;
  /** Change an opportunity you may work on. Requires permission `sales.opportunity.write`. */
  opportunityUpdate: OpportunityPayload;
  /** Close an opportunity as won; its client becomes a customer. Requires permission `sales.opportunity.write`. */
  opportunityWin: OpportunityPayload;
  /** Add a person to the client file. Requires permission `core.person.write`. */
  personCreate: PersonPayload;
  /** Remove a person from every list (kept for the records). Requires permission `core.person.delete`. */
  personDelete: DeletePayload;
  /** Anonymise a person everywhere, keeping what the law requires. Requires permission `core.person.erase`. */
  personErase: DeletePayload;
  /** Everything held about a person, as JSON (GDPR access request). Requires permission `core.person.export`. */
  personExport: PersonExportPayload;
  /** Merge a duplicate person into another one. Requires permission `core.person.write`. */
  personMerge: PersonPayload;
  /** Change a person in your area. Requires permission `core.person.write`. */
  personUpdate: PersonPayload;
  /** Import persons from a CSV file (all rows or none; duplicates by e-mail, phone skipped; a company column links each person to an existing company by NIP or exact name). Requires permission `core.person.write`. */
  personsImport: ImportPayload;
  /** Give a person of the CRM a portal account and e-mail them an invitation. Requires permission `core.portal_account.manage`. */
  portalAccountInvite: PortalAccountPayload;
  /** Lock a portal account: it cannot sign in and its tokens stop at once. Requires permission `core.portal_account.manage`. */
  portalAccountLock: PortalAccountPayload;
  /** Unlock a portal account. Requires permission `core.portal_account.manage`. */
  portalAccountUnlock: PortalAccountPayload;
  /** Change a portal account's rights or status. Requires permission `core.portal_account.manage`. */
  portalAccountUpdate: PortalAccountPayload;
  /** Hear (or stop hearing) when a record's files change. Requires a signed-in actor. */
  recordFollow: FollowPayload;
  /** Create a role. Requires permission `core.role.manage`. */
  roleCreate: RolePayload;
  /** Delete a role no user holds. Requires permission `core.role.manage`. */
  roleDelete: RoleDeletePayload;
  /** Change a role's permissions or reach. Requires permission `core.role.manage`. */
  roleUpdate: RolePayload;
  /** Add a routing rule at the end of the list. Requires permission `marketing.lead.route`. */
  routingRuleCreate: RoutingRulePayload;
  /** Requires permission `marketing.lead.route`. */
  routingRuleDelete: RoutingRulePayload;
  /** Replace a rule's conditions and target. Requires permission `marketing.lead.route`. */
  routingRuleUpdate: RoutingRulePayload;
  /** Give every rule, in the order they are to be tried. Requires permission `marketing.lead.route`. */
  routingRulesReorder: RoutingRulesPayload;
  /** Define a rule; it runs for events from now on. Requires permission `core.rule.manage`. */
  ruleCreate: RulePayload;
  /** Delete a rule and its run log. Requires permission `core.rule.manage`. */
  ruleDelete: RuleDeletePayload;
  /** Change a rule, or enable / disable it. Requires permission `core.rule.manage`. */
  ruleUpdate: RulePayload;
  /** Set the plan of a rep or a team for a period (replaces the old). Requires permission `sales.plan.manage`. */
  salesPlanSet: SalesPlanPayload;
  /** Define a sales process with its stages. Requires permission `sales.process.manage`. */
  salesProcessCreate: SalesProcessPayload;
  /** Rename, describe, hand to a team, archive or restore. Requires permission `sales.process.manage`. */
  salesProcessUpdate: SalesProcessPayload;
  /** Add a stage at a position (1 = first; default: last). Requires permission `sales.process.manage`. */
  salesStageAdd: SalesStagePayload;
  /** Remove a stage no opportunity is in. Requires permission `sales.process.manage`. */
  salesStageDelete: DeletePayload;
  /** Change a stage's name, probability, requirements or duration. Requires permission `sales.process.manage`. */
  salesStageUpdate: SalesStagePayload;
  /** Put the stages of a process in a new order (list them all). Requires permission `sales.process.manage`. */
  salesStagesReorder: SalesProcessPayload;
  /** Save criteria as a segment (checked before saving). Requires permission `marketing.segment.manage`. */
  segmentCreate: SegmentPayload;
  /** Queue a call to each member of a segment with a phone (and consent for `purpose`); at most 5000, no second open call for the same reason. Requires permission `marketing.segment.read`. */
  segmentQueueCalls: SegmentCallsPayload;
  /** Rename, describe, change criteria, archive or restore. Requires permission `marketing.segment.manage`. */
  segmentUpdate: SegmentPayload;
  /** Never send marketing mail to this address. Requires permission `marketing.campaign.manage`. */
  suppressionAdd: SuppressionPayload;
  /** Mail this address again (after it was fixed). Requires permission `marketing.campaign.manage`. */
  suppressionRemove: SuppressionPayload;
  /** Mark a task done. Requires a signed-in actor. */
  taskComplete: TaskCompletePayload;
  /** Create a task (for yourself, or for others with core.task.assign). Requires permission `core.task.write`. */
  taskCreate: TaskPayload;
  /** Create a team. Requires permission `core.user.manage`. */
  teamCreate: TeamPayload;
  /** Create a territory. Requires permission `core.user.manage`. */
  territoryCreate: TerritoryPayload;
  /** Log a call, meeting, note… on a client's timeline. Requires permission `core.timeline.write`. */
  timelineEntryCreate: TimelineEntryPayload;
  /** Let a site report web activity; returns its token once. Requires permission `marketing.form.manage`. */
  trackingSiteCreate: TrackingSitePayload;
  /** The site's token stops working at once. Requires permission `marketing.form.manage`. */
  trackingSiteRevoke: TrackingSitePayload;
  /** Create a staff user. Requires permission `core.user.manage`. */
  userCreate: UserPayload;
  /** Lock a staff user: no sign-in, and their tokens stop at once. Requires permission `core.user.manage`. */
  userLock: UserLockPayload;
  /** Turn off a staff user's one-time codes (a lost phone). Requires permission `core.user.manage`. */
  userTotpReset: TotpPayload;
  /** Unlock a staff user (also forgets their failed sign-ins). Requires permission `core.user.manage`. */
  userUnlock: UserLockPayload;
  /** Change a user's name, roles, team, territories or status. Requires permission `core.user.manage`. */
  userUpdate: UserPayload;
  /** Stop asking for a one-time code at sign-in; needs a code from the current secret. Requires a signed-in actor. */
  viewerTotpDisable: TotpPayload;
  /** Require a one-time code at sign-in: send a new base32 secret and a code it generates now. Requires a signed-in actor. */
  viewerTotpEnable: TotpPayload;
  /** Send a failed webhook delivery again (same id and body). Requires permission `core.rule.manage`. */
  webhookDeliveryRetry: WebhookDeliveryPayload;
  /** Register a webhook endpoint; its secret is shown once. Requires permission `core.rule.manage`. */
  webhookEndpointCreate: WebhookEndpointPayload;
  /** A new signing secret, shown once; the old one stops at once. Requires permission `core.rule.manage`. */
  webhookEndpointRotateSecret: WebhookEndpointPayload;
};


export type MutationAccessTokenCreateArgs = {
  input: AccessTokenCreateInput;
};


export type MutationAccessTokenRevokeArgs = {
  id: Scalars['ID']['input'];
};


export type MutationAttachmentDeleteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCallQueueEntryAssignArgs = {
  assignee?: InputMaybe<Scalars['ID']['input']>;
  id: Scalars['ID']['input'];
  team?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationCallQueueEntryCancelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCallQueueEntryCreateArgs = {
  input: CallQueueEntryInput;
};


export type MutationCallQueueEntryLogOutcomeArgs = {
  input: CallOutcomeInput;
};


export type MutationCampaignCancelArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCampaignCreateArgs = {
  input: CampaignInput;
};


export type MutationCampaignPauseArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCampaignResumeArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCampaignScheduleArgs = {
  id: Scalars['ID']['input'];
  input?: InputMaybe<CampaignScheduleInput>;
};


export type MutationCampaignUpdateArgs = {
  id: Scalars['ID']['input'];
  input: CampaignUpdateInput;
};


export type MutationCompaniesImportArgs = {
  dryRun?: Scalars['Boolean']['input'];
  file: Scalars['Upload']['input'];
  mapping?: InputMaybe<Array<ImportColumnInput>>;
};


export type MutationCompanyCreateArgs = {
  input: CompanyCreateInput;
};


export type MutationCompanyDeleteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationCompanyMergeArgs = {
  input: MergeInput;
};


export type MutationCompanyUpdateArgs = {
  id: Scalars['ID']['input'];
  input: CompanyUpdateInput;
};


export type MutationConsentGiveArgs = {
  input: ConsentInput;
};


export type MutationConsentWithdrawArgs = {
  input: ConsentInput;
};


export type MutationCustomFieldDefineArgs = {
  input: CustomFieldDefineInput;
};


export type MutationCustomFieldUpdateArgs = {
  id: Scalars['ID']['input'];
  input: CustomFieldUpdateInput;
};


export type MutationDeadLetterRetryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationFormCreateArgs = {
  input: FormInput;
};


export type MutationFormSetActiveArgs = {
  active: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
};


export type MutationIncomingMailAssignArgs = {
  companyId?: InputMaybe<Scalars['ID']['input']>;
  id: Scalars['ID']['input'];
  personId?: InputMaybe<Scalars['ID']['input']>;
};


export type MutationLeadConvertArgs = {
  input: LeadConvertInput;
};


export type MutationLeadQualifyArgs = {
  input: LeadQualifyInput;
};


export type MutationMergeCandidateResolveArgs = {
  decision: MergeDecision;
  id: Scalars['ID']['input'];
};


export type MutationNotificationSettingsUpdateArgs = {
  input: NotificationSettingsInput;
};


export type MutationNotificationsMarkReadArgs = {
  input: NotificationsMarkReadInput;
};


export type MutationOauthClientCreateArgs = {
  input: OAuthClientCreateInput;
};


export type MutationOauthClientRotateSecretArgs = {
  id: Scalars['ID']['input'];
};


export type MutationOauthClientUpdateArgs = {
  id: Scalars['ID']['input'];
  input: OAuthClientUpdateInput;
};


export type MutationOccasionCreateArgs = {
  input: OccasionInput;
};


export type MutationOccasionSetActiveArgs = {
  active: Scalars['Boolean']['input'];
  id: Scalars['ID']['input'];
};


export type MutationOpportunityCreateArgs = {
  input: OpportunityCreateInput;
};


export type MutationOpportunityDeleteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationOpportunityLogContactArgs = {
  id: Scalars['ID']['input'];
  input: OpportunityContactInput;
};


export type MutationOpportunityLoseArgs = {
  id: Scalars['ID']['input'];
  input: OpportunityLoseInput;
};


export type MutationOpportunityMoveArgs = {
  id: Scalars['ID']['input'];
  input: OpportunityMoveInput;
};


export type MutationOpportunityUpdateArgs = {
  id: Scalars['ID']['input'];
  input: OpportunityUpdateInput;
};


export type MutationOpportunityWinArgs = {
  at?: InputMaybe<Scalars['DateTime']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationPersonCreateArgs = {
  input: PersonCreateInput;
};


export type MutationPersonDeleteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPersonEraseArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPersonExportArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPersonMergeArgs = {
  input: MergeInput;
};


export type MutationPersonUpdateArgs = {
  id: Scalars['ID']['input'];
  input: PersonUpdateInput;
};


export type MutationPersonsImportArgs = {
  dryRun?: Scalars['Boolean']['input'];
  file: Scalars['Upload']['input'];
  mapping?: InputMaybe<Array<ImportColumnInput>>;
};


export type MutationPortalAccountInviteArgs = {
  input: PortalAccountInviteInput;
};


export type MutationPortalAccountLockArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPortalAccountUnlockArgs = {
  id: Scalars['ID']['input'];
};


export type MutationPortalAccountUpdateArgs = {
  id: Scalars['ID']['input'];
  input: PortalAccountUpdateInput;
};


export type MutationRecordFollowArgs = {
  following?: Scalars['Boolean']['input'];
  subject: Scalars['ID']['input'];
};


export type MutationRoleCreateArgs = {
  input: RoleInput;
};


export type MutationRoleDeleteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRoleUpdateArgs = {
  id: Scalars['ID']['input'];
  input: RoleUpdateInput;
};


export type MutationRoutingRuleCreateArgs = {
  input: RoutingRuleInput;
};


export type MutationRoutingRuleDeleteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRoutingRuleUpdateArgs = {
  id: Scalars['ID']['input'];
  input: RoutingRuleInput;
};


export type MutationRoutingRulesReorderArgs = {
  ids: Array<Scalars['ID']['input']>;
};


export type MutationRuleCreateArgs = {
  input: RuleCreateInput;
};


export type MutationRuleDeleteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationRuleUpdateArgs = {
  id: Scalars['ID']['input'];
  input: RuleUpdateInput;
};


export type MutationSalesPlanSetArgs = {
  input: SalesPlanInput;
};


export type MutationSalesProcessCreateArgs = {
  input: SalesProcessCreateInput;
};


export type MutationSalesProcessUpdateArgs = {
  id: Scalars['ID']['input'];
  input: SalesProcessUpdateInput;
};


export type MutationSalesStageAddArgs = {
  input: SalesStageInput;
  position?: InputMaybe<Scalars['Int']['input']>;
  process: Scalars['ID']['input'];
};


export type MutationSalesStageDeleteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationSalesStageUpdateArgs = {
  id: Scalars['ID']['input'];
  input: SalesStageInput;
};


export type MutationSalesStagesReorderArgs = {
  process: Scalars['ID']['input'];
  stages: Array<Scalars['ID']['input']>;
};


export type MutationSegmentCreateArgs = {
  input: SegmentInput;
};


export type MutationSegmentQueueCallsArgs = {
  input: SegmentCallsInput;
};


export type MutationSegmentUpdateArgs = {
  id: Scalars['ID']['input'];
  input: SegmentUpdateInput;
};


export type MutationSuppressionAddArgs = {
  email: Scalars['String']['input'];
};


export type MutationSuppressionRemoveArgs = {
  email: Scalars['String']['input'];
};


export type MutationTaskCompleteArgs = {
  id: Scalars['ID']['input'];
};


export type MutationTaskCreateArgs = {
  input: TaskInput;
};


export type MutationTeamCreateArgs = {
  name: Scalars['String']['input'];
};


export type MutationTerritoryCreateArgs = {
  input: TerritoryInput;
};


export type MutationTimelineEntryCreateArgs = {
  input: TimelineEntryInput;
};


export type MutationTrackingSiteCreateArgs = {
  name: Scalars['String']['input'];
};


export type MutationTrackingSiteRevokeArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUserCreateArgs = {
  input: UserCreateInput;
};


export type MutationUserLockArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUserTotpResetArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUserUnlockArgs = {
  id: Scalars['ID']['input'];
};


export type MutationUserUpdateArgs = {
  id: Scalars['ID']['input'];
  input: UserUpdateInput;
};


export type MutationViewerTotpDisableArgs = {
  currentCode: Scalars['String']['input'];
};


export type MutationViewerTotpEnableArgs = {
  code: Scalars['String']['input'];
  currentCode?: Scalars['String']['input'];
  secret: Scalars['String']['input'];
};


export type MutationWebhookDeliveryRetryArgs = {
  id: Scalars['ID']['input'];
};


export type MutationWebhookEndpointCreateArgs = {
  input: WebhookEndpointCreateInput;
};


export type MutationWebhookEndpointRotateSecretArgs = {
  id: Scalars['ID']['input'];
};

export type NewCompanyInput = {
  name: Scalars['String']['input'];
  nip?: Scalars['String']['input'];
};

export type NewPersonInput = {
  email?: Scalars['String']['input'];
  firstName?: Scalars['String']['input'];
  lastName: Scalars['String']['input'];
  position?: Scalars['String']['input'];
};

/** An object with a Globally Unique ID */
export type Node = {
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
};

/** A message in your inbox: a reminder, a changed file, a rule's note… */
export type Notification = Node & {
  __typename?: 'Notification';
  body: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  /** Namespaced by its sender: "core.task_reminder", "core.rule"… */
  kind: Scalars['String']['output'];
  /** The global id of the record it is about (look it up with node); null when none. */
  linkId?: Maybe<Scalars['ID']['output']>;
  readAt?: Maybe<Scalars['DateTime']['output']>;
  title: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type NotificationConnection = {
  __typename?: 'NotificationConnection';
  /** Contains the nodes in this connection */
  edges: Array<NotificationEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** How notifications reach you. */
export type NotificationDelivery =
  | 'IN_APP'
  | 'IN_APP_AND_EMAIL';

/** An edge in a connection. */
export type NotificationEdge = {
  __typename?: 'NotificationEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: Notification;
};

/** Your notification settings. */
export type NotificationSettings = {
  __typename?: 'NotificationSettings';
  delivery: NotificationDelivery;
  /** Your IANA time zone for task times (recurrence, reminders); null: the deployment's. */
  timeZone?: Maybe<Scalars['String']['output']>;
};

export type NotificationSettingsInput = {
  delivery?: InputMaybe<NotificationDelivery>;
  /** An IANA zone such as "Europe/Warsaw"; "" returns to the deployment's. */
  timeZone?: InputMaybe<Scalars['String']['input']>;
};

export type NotificationSettingsPayload = {
  __typename?: 'NotificationSettingsPayload';
  settings?: Maybe<NotificationSettings>;
  userErrors: Array<UserError>;
};

/** Give ids, or all: true; not both. */
export type NotificationsMarkReadInput = {
  all?: Scalars['Boolean']['input'];
  ids?: InputMaybe<Array<Scalars['ID']['input']>>;
};

export type NotificationsMarkReadPayload = {
  __typename?: 'NotificationsMarkReadPayload';
  /** How many were unread and are read now. */
  markedCount: Scalars['Int']['output'];
  /** Your unread notifications afterwards. */
  unreadCount?: Maybe<Scalars['Int']['output']>;
  userErrors: Array<UserError>;
};

export type NumberFieldValue = CustomFieldValue & {
  __typename?: 'NumberFieldValue';
  definition: CustomFieldDefinition;
  number: Scalars['Float']['output'];
};

export type OAuthClientCreateInput = {
  audience?: Scalars['String']['input'];
  confidential?: Scalars['Boolean']['input'];
  grantTypes?: Array<Scalars['String']['input']>;
  name: Scalars['String']['input'];
  redirectUris?: Array<Scalars['String']['input']>;
  scopes?: Array<Scalars['String']['input']>;
  skipConsent?: Scalars['Boolean']['input'];
};

/** An application that signs people in through Kartoteka or calls its API on its own. */
export type OAuthClientNode = Node & {
  __typename?: 'OAuthClientNode';
  /** `staff` or `portal`: who signs in, and which API its tokens open. */
  audience: Scalars['String']['output'];
  /** The public identifier the application sends. */
  clientId: Scalars['String']['output'];
  /** Holds a secret (a server); public clients rely on PKCE alone. */
  confidential: Scalars['Boolean']['output'];
  createdAt: Scalars['DateTime']['output'];
  grantTypes: Array<Scalars['String']['output']>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  name: Scalars['String']['output'];
  /** Compared byte for byte with the request's. */
  redirectUris: Array<Scalars['String']['output']>;
  /** The most the client may ask for. */
  scopes: Array<Scalars['String']['output']>;
  secretRotatedAt?: Maybe<Scalars['DateTime']['output']>;
  /** A first-party front end: no consent page. */
  skipConsent: Scalars['Boolean']['output'];
};

/** A connection to a list of items. */
export type OAuthClientNodeConnection = {
  __typename?: 'OAuthClientNodeConnection';
  /** Contains the nodes in this connection */
  edges: Array<OAuthClientNodeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type OAuthClientNodeEdge = {
  __typename?: 'OAuthClientNodeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: OAuthClientNode;
};

export type OAuthClientPayload = {
  __typename?: 'OAuthClientPayload';
  client?: Maybe<OAuthClientNode>;
  /** Shown once, when created or rotated; store it safely. */
  clientSecret?: Maybe<Scalars['String']['output']>;
  userErrors: Array<UserError>;
};

export type OAuthClientUpdateInput = {
  grantTypes?: InputMaybe<Array<Scalars['String']['input']>>;
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  redirectUris?: InputMaybe<Array<Scalars['String']['input']>>;
  scopes?: InputMaybe<Array<Scalars['String']['input']>>;
  skipConsent?: InputMaybe<Scalars['Boolean']['input']>;
};

/** Greetings on birthdays or on a holiday, sent by themselves. */
export type Occasion = Node & {
  __typename?: 'Occasion';
  active: Scalars['Boolean']['output'];
  daysBefore: Scalars['Int']['output'];
  /** The holiday's code (see `holidays`); empty for birthdays. */
  holiday: Scalars['String']['output'];
  html?: Maybe<Scalars['String']['output']>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  /** birthday or holiday. */
  kind: Scalars['String']['output'];
  name: Scalars['String']['output'];
  purpose: Scalars['String']['output'];
  /** Null: everyone who consented. */
  segment?: Maybe<Segment>;
  subject: Scalars['String']['output'];
  text: Scalars['String']['output'];
};

export type OccasionInput = {
  daysBefore?: Scalars['Int']['input'];
  /** A code from `holidays`, for kind holiday. */
  holiday?: Scalars['String']['input'];
  /** birthday or holiday. */
  kind: Scalars['String']['input'];
  message: MessageInput;
  name: Scalars['String']['input'];
  purpose?: Scalars['String']['input'];
  segment?: InputMaybe<Scalars['ID']['input']>;
};

export type OccasionPayload = {
  __typename?: 'OccasionPayload';
  occasion?: Maybe<Occasion>;
  userErrors: Array<UserError>;
};

/** A chance of a sale, moving through the stages of its process. */
export type Opportunity = Node & {
  __typename?: 'Opportunity';
  closedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Null when outside your area. */
  company?: Maybe<Company>;
  competitors: Array<Competitor>;
  createdAt: Scalars['DateTime']['output'];
  currency: Scalars['String']['output'];
  /** Custom field values by key (sensitive ones need the right). */
  customFields: Scalars['JSON']['output'];
  expectedCloseDate?: Maybe<Scalars['Date']['output']>;
  /** Oldest first. */
  history: Array<StageChangeType>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  lastContactAt?: Maybe<Scalars['DateTime']['output']>;
  lostReason: Scalars['String']['output'];
  name: Scalars['String']['output'];
  owner?: Maybe<UserNode>;
  /** Null when outside your area. */
  person?: Maybe<Person>;
  process?: Maybe<SalesProcess>;
  source: Scalars['String']['output'];
  /** The current (or last) stage. */
  stage?: Maybe<SalesStage>;
  stageEnteredAt: Scalars['DateTime']['output'];
  status: OpportunityStatus;
  stuck: Scalars['Boolean']['output'];
  /** Set when the opportunity overstayed its stage or went without contact; progress clears it. */
  stuckSince?: Maybe<Scalars['DateTime']['output']>;
  updatedAt: Scalars['DateTime']['output'];
  /** In the opportunity's currency. */
  value: Scalars['Decimal']['output'];
  /** Converted at the configured rate when the value was set; reports sum this. */
  valueInReportingCurrency: Scalars['Decimal']['output'];
};

/** A connection to a list of items. */
export type OpportunityConnection = {
  __typename?: 'OpportunityConnection';
  /** Contains the nodes in this connection */
  edges: Array<OpportunityEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

export type OpportunityContactInput = {
  body?: Scalars['String']['input'];
  durationMinutes?: Scalars['Int']['input'];
  /** core.call, core.email, core.meeting or core.note. */
  kind: Scalars['String']['input'];
  occurredAt?: InputMaybe<Scalars['DateTime']['input']>;
  subject: Scalars['String']['input'];
};

export type OpportunityContactPayload = {
  __typename?: 'OpportunityContactPayload';
  opportunity?: Maybe<Opportunity>;
  timelineEntryId?: Maybe<Scalars['ID']['output']>;
  userErrors: Array<UserError>;
};

export type OpportunityCreateInput = {
  company?: InputMaybe<Scalars['ID']['input']>;
  competitors?: InputMaybe<Array<CompetitorInput>>;
  /** Default: the reporting currency. */
  currency?: InputMaybe<Scalars['String']['input']>;
  customFields?: InputMaybe<Scalars['JSON']['input']>;
  expectedCloseDate?: InputMaybe<Scalars['Date']['input']>;
  name: Scalars['String']['input'];
  /** When it was opened, if earlier than now (entering history). */
  openedAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** Default: you. */
  owner?: InputMaybe<Scalars['ID']['input']>;
  person?: InputMaybe<Scalars['ID']['input']>;
  process: Scalars['ID']['input'];
  source?: Scalars['String']['input'];
  /** Default: the process's first stage. */
  stage?: InputMaybe<Scalars['ID']['input']>;
  value?: Scalars['Decimal']['input'];
};

/** An edge in a connection. */
export type OpportunityEdge = {
  __typename?: 'OpportunityEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: Opportunity;
};

/** Every condition given must hold. */
export type OpportunityFilter = {
  /** Expected close date from this day. */
  closingFrom?: InputMaybe<Scalars['Date']['input']>;
  closingTo?: InputMaybe<Scalars['Date']['input']>;
  company?: InputMaybe<Scalars['ID']['input']>;
  openedFrom?: InputMaybe<Scalars['Date']['input']>;
  openedTo?: InputMaybe<Scalars['Date']['input']>;
  owners?: InputMaybe<Array<Scalars['ID']['input']>>;
  person?: InputMaybe<Scalars['ID']['input']>;
  process?: InputMaybe<Scalars['ID']['input']>;
  /** Part of the name. */
  search?: InputMaybe<Scalars['String']['input']>;
  stages?: InputMaybe<Array<Scalars['ID']['input']>>;
  status?: InputMaybe<OpportunityStatus>;
  /** Open and flagged by the stuck-deal check. */
  stuck?: InputMaybe<Scalars['Boolean']['input']>;
  /** Owned by a member of the team. */
  team?: InputMaybe<Scalars['ID']['input']>;
};

export type OpportunityLoseInput = {
  at?: InputMaybe<Scalars['DateTime']['input']>;
  reason: Scalars['String']['input'];
};

export type OpportunityMoveInput = {
  /** When it happened, if earlier than now. */
  at?: InputMaybe<Scalars['DateTime']['input']>;
  stage: Scalars['ID']['input'];
};

export type OpportunityOrder = {
  by?: OpportunityOrderField;
  descending?: Scalars['Boolean']['input'];
};

/** What a list of opportunities is ordered by (the id breaks ties). */
export type OpportunityOrderField =
  | 'CREATED_AT'
  | 'STAGE_ENTERED_AT'
  | 'VALUE';

export type OpportunityPayload = {
  __typename?: 'OpportunityPayload';
  opportunity?: Maybe<Opportunity>;
  userErrors: Array<UserError>;
};

/** Where an opportunity stands. */
export type OpportunityStatus =
  | 'LOST'
  | 'OPEN'
  | 'WON';

/** Only the fields given change; `clear` empties company, person or expectedCloseDate. */
export type OpportunityUpdateInput = {
  clear?: InputMaybe<Array<Scalars['String']['input']>>;
  company?: InputMaybe<Scalars['ID']['input']>;
  competitors?: InputMaybe<Array<CompetitorInput>>;
  currency?: InputMaybe<Scalars['String']['input']>;
  customFields?: InputMaybe<Scalars['JSON']['input']>;
  expectedCloseDate?: InputMaybe<Scalars['Date']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  owner?: InputMaybe<Scalars['ID']['input']>;
  person?: InputMaybe<Scalars['ID']['input']>;
  source?: InputMaybe<Scalars['String']['input']>;
  value?: InputMaybe<Scalars['Decimal']['input']>;
};

/** One rep's part of the forecast. */
export type OwnerForecast = {
  __typename?: 'OwnerForecast';
  actualDeals: Scalars['Int']['output'];
  actualValue: Scalars['Decimal']['output'];
  expectedDeals: Scalars['Float']['output'];
  expectedValue: Scalars['Decimal']['output'];
  owner?: Maybe<UserNode>;
  planValue?: Maybe<Scalars['Decimal']['output']>;
};

/** Information to aid in pagination. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** When paginating forwards, the cursor to continue. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** When paginating forwards, are there more items? */
  hasNextPage: Scalars['Boolean']['output'];
  /** When paginating backwards, are there more items? */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** When paginating backwards, the cursor to continue. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** A permission code a role can grant. */
export type PermissionInfo = {
  __typename?: 'PermissionInfo';
  code: Scalars['String']['output'];
  description: Scalars['String']['output'];
  plugin: Scalars['String']['output'];
};

/** A person in the client file: a customer, a contact at a company, a lead. */
export type Person = Node & {
  __typename?: 'Person';
  addresses: Array<AddressType>;
  /** Sensitive: null without permission `core.personal_data.read`. */
  birthday?: Maybe<Scalars['Date']['output']>;
  /** Every consent given and withdrawn, oldest first. Requires permission `core.person.read`. */
  consents: Array<ConsentType>;
  createdAt: Scalars['DateTime']['output'];
  /** One custom field's typed value; null when empty or unknown. Requires a signed-in actor. */
  customField?: Maybe<CustomFieldValue>;
  /** Custom field values by key; sensitive ones only for those who may see them. */
  customFields: Scalars['JSON']['output'];
  emails: Array<ContactPointType>;
  /** Companies this person works at, and as what. */
  employments: Array<Employment>;
  firstName: Scalars['String']['output'];
  fullName: Scalars['String']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  kind: CounterpartyKind;
  /** The most recent entry of the timeline. Requires permission `core.company.read`. */
  lastActivity?: Maybe<TimelineEntryType>;
  lastName: Scalars['String']['output'];
  lifecycle: Lifecycle;
  /** Open opportunities with this person you may see, newest first. Requires permission `sales.opportunity.read`. */
  openOpportunities: Array<Opportunity>;
  /** The staff user responsible for this record. */
  owner?: Maybe<UserNode>;
  /** Phone numbers in E.164 form. */
  phones: Array<ContactPointType>;
  preferredLanguage: Scalars['String']['output'];
  qualification: Scalars['JSON']['output'];
  /** Segment labels. */
  tags: Array<Scalars['String']['output']>;
  territory?: Maybe<TerritoryNode>;
  updatedAt: Scalars['DateTime']['output'];
};


/** A person in the client file: a customer, a contact at a company, a lead. */
export type PersonCustomFieldArgs = {
  key: Scalars['String']['input'];
};

/** A connection to a list of items. */
export type PersonConnection = {
  __typename?: 'PersonConnection';
  /** Contains the nodes in this connection */
  edges: Array<PersonEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

export type PersonCreateInput = {
  addresses?: Array<AddressInput>;
  birthday?: InputMaybe<Scalars['Date']['input']>;
  /** Values by custom field key. */
  customFields?: InputMaybe<Scalars['JSON']['input']>;
  emails?: Array<ContactPointInput>;
  employments?: Array<EmploymentInput>;
  firstName?: Scalars['String']['input'];
  kind?: CounterpartyKind;
  lastName: Scalars['String']['input'];
  lifecycle?: Lifecycle;
  /** Defaults to you. */
  owner?: InputMaybe<Scalars['ID']['input']>;
  phones?: Array<ContactPointInput>;
  preferredLanguage?: Scalars['String']['input'];
  qualification?: InputMaybe<Scalars['JSON']['input']>;
  tags?: Array<Scalars['String']['input']>;
  territory?: InputMaybe<Scalars['String']['input']>;
};

/** An edge in a connection. */
export type PersonEdge = {
  __typename?: 'PersonEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: Person;
};

export type PersonExportPayload = {
  __typename?: 'PersonExportPayload';
  /** Everything held about the person, per plugin. */
  data?: Maybe<Scalars['JSON']['output']>;
  userErrors: Array<UserError>;
};

export type PersonFilter = {
  company?: InputMaybe<Scalars['ID']['input']>;
  customFields?: InputMaybe<Array<CustomFieldFilter>>;
  lifecycle?: InputMaybe<Lifecycle>;
  nameContains?: InputMaybe<Scalars['String']['input']>;
  owner?: InputMaybe<Scalars['ID']['input']>;
  tag?: InputMaybe<Scalars['String']['input']>;
};

export type PersonPayload = {
  __typename?: 'PersonPayload';
  person?: Maybe<Person>;
  userErrors: Array<UserError>;
};

/** Only the fields given change; lists given replace the old ones. */
export type PersonUpdateInput = {
  addresses?: InputMaybe<Array<AddressInput>>;
  birthday?: InputMaybe<Scalars['Date']['input']>;
  /** Keys given change; a null value clears that field. */
  customFields?: InputMaybe<Scalars['JSON']['input']>;
  emails?: InputMaybe<Array<ContactPointInput>>;
  employments?: InputMaybe<Array<EmploymentInput>>;
  firstName?: InputMaybe<Scalars['String']['input']>;
  kind?: InputMaybe<CounterpartyKind>;
  lastName?: InputMaybe<Scalars['String']['input']>;
  lifecycle?: InputMaybe<Lifecycle>;
  /** The id of a user; null removes the owner, leaving it out keeps it. */
  owner?: InputMaybe<Scalars['ID']['input']>;
  phones?: InputMaybe<Array<ContactPointInput>>;
  preferredLanguage?: InputMaybe<Scalars['String']['input']>;
  qualification?: InputMaybe<Scalars['JSON']['input']>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  territory?: InputMaybe<Scalars['String']['input']>;
};

export type PhoneMatches = {
  __typename?: 'PhoneMatches';
  companies: Array<Company>;
  persons: Array<Person>;
};

export type PipelineFlowBucket = {
  __typename?: 'PipelineFlowBucket';
  lost: Scalars['Int']['output'];
  opened: Scalars['Int']['output'];
  openedValue: Scalars['Decimal']['output'];
  /** First day of the day, week (Monday), month or quarter. */
  starts: Scalars['Date']['output'];
  won: Scalars['Int']['output'];
  wonValue: Scalars['Decimal']['output'];
};

/** An enabled plugin. */
export type PluginDescription = {
  __typename?: 'PluginDescription';
  description: Scalars['String']['output'];
  name: Scalars['String']['output'];
  requires: Array<Scalars['String']['output']>;
  version: Scalars['String']['output'];
};

export type PortalAccountInviteInput = {
  /** The company's global id; default: the person's first employer. */
  company?: InputMaybe<Scalars['ID']['input']>;
  /** Default: the person's primary e-mail address. */
  email?: InputMaybe<Scalars['String']['input']>;
  isAdmin?: Scalars['Boolean']['input'];
  kind?: Scalars['String']['input'];
  /** The person's global id. */
  person: Scalars['ID']['input'];
  rights?: Array<Scalars['String']['input']>;
};

/** A person of the CRM who signs in to the portal for one company. */
export type PortalAccountNode = Node & {
  __typename?: 'PortalAccountNode';
  /** The invitation was accepted. */
  activated: Scalars['Boolean']['output'];
  /** The company's global id (a Company of the staff API). */
  company: Scalars['ID']['output'];
  createdAt: Scalars['DateTime']['output'];
  email: Scalars['String']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  /** May invite colleagues of the same company. */
  isAdmin: Scalars['Boolean']['output'];
  /** `client` or `partner`. */
  kind: Scalars['String']['output'];
  locked: Scalars['Boolean']['output'];
  /** The person's global id (a Person of the staff API). */
  person: Scalars['ID']['output'];
  /** client: browse, order, invoices; partner: leads. */
  rights: Array<Scalars['String']['output']>;
};

/** A connection to a list of items. */
export type PortalAccountNodeConnection = {
  __typename?: 'PortalAccountNodeConnection';
  /** Contains the nodes in this connection */
  edges: Array<PortalAccountNodeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type PortalAccountNodeEdge = {
  __typename?: 'PortalAccountNodeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: PortalAccountNode;
};

export type PortalAccountPayload = {
  __typename?: 'PortalAccountPayload';
  account?: Maybe<PortalAccountNode>;
  userErrors: Array<UserError>;
};

export type PortalAccountUpdateInput = {
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  isAdmin?: InputMaybe<Scalars['Boolean']['input']>;
  rights?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type Query = {
  __typename?: 'Query';
  /** Files on a company or person, newest first. Requires a signed-in actor. */
  attachments: Array<AttachmentType>;
  /** The audit log, newest first; filter by kind of record or by one record's global id. Requires permission `core.audit.read`. */
  auditLog: AuditEntryTypeConnection;
  /** Tasks due in [from, to) for the given users (default: you), for day, week or month views. Requires a signed-in actor. */
  calendar: Array<TaskType>;
  /** Queued calls of the clients you may see, most urgent first (priority, then due time). Requires permission `core.call_queue.read`. */
  callQueue: CallQueueEntryConnection;
  /** Requires permission `marketing.campaign.read`. */
  campaign?: Maybe<Campaign>;
  /** The message as a recipient gets it; sample data without one. Requires permission `marketing.campaign.read`. */
  campaignPreview: MessagePreview;
  /** Delivery, responses, deals and return on investment. Requires permission `marketing.campaign.read`. */
  campaignStats: CampaignStats;
  /** Campaigns, newest first. Requires permission `marketing.campaign.read`. */
  campaigns: CampaignConnection;
  /** What changed since `since` among the records you may see, in order. Without `since` (a first sync) it starts with every record you may see as it is now (SNAPSHOT), then the changes. Requires a signed-in actor. */
  changes: ChangeSet;
  /** Companies in your area, by name. Requires permission `core.company.read`. */
  companies: CompanyConnection;
  /** One company; null when it does not exist or is outside your area. Requires permission `core.company.read`. */
  company?: Maybe<Company>;
  /** The custom fields of an entity (`customFieldEntities`), in order; none for one you cannot read. Requires a signed-in actor. */
  customFieldDefinitions: Array<CustomFieldDefinition>;
  /** What custom fields can be added to (those you may read). Requires a signed-in actor. */
  customFieldEntities: Array<CustomFieldEntityType>;
  /** Deliveries that failed after all retries, oldest first. Requires permission `core.jobs.read`. */
  deadLetters: DeadLetterConnection;
  /** Events a rule can react to, with the fields conditions can test. Requires permission `core.rule.read`. */
  eventTypes: Array<EventTypeInfo>;
  /** Call-centre lookup: who has this phone number (any format). Requires permission `core.person.read`. */
  findByPhone: PhoneMatches;
  /** Plan vs forecast vs actual for the period: won so far plus what open deals are expected to bring, from historical conversion rates, cycle lengths and average values. Requires permission `sales.report.read`. */
  forecast: Forecast;
  /** What visitors sent, newest first; optionally one form's or by status. Requires permission `marketing.form.read`. */
  formSubmissions: FormSubmissionConnection;
  /** Web forms, newest first. Requires permission `marketing.form.read`. */
  forms: WebFormConnection;
  /** Pipeline by stage, conversion between stages, win rate and cycle. Requires permission `sales.report.read`. */
  funnel: Funnel;
  /** Holidays an occasion can be tied to, with their days in `year`. Requires permission `marketing.campaign.read`. */
  holidays: Array<HolidayDay>;
  /** Incoming e-mail, oldest first; `status: UNMATCHED` is the queue to assign by hand. Requires permission `core.mail.read`. */
  incomingMail: IncomingMailConnection;
  /** The merge queue: open candidates by default, oldest first. Requires permission `marketing.form.read`. */
  mergeCandidates: MergeCandidateConnection;
  /** How your notifications reach you. Requires a signed-in actor. */
  myNotificationSettings: NotificationSettings;
  /** Any object by its global id; null when it does not exist or you may not see it. Requires a signed-in actor. */
  node?: Maybe<Node>;
  /** Your notifications, newest first (staff users only). Requires a signed-in actor. */
  notifications: NotificationConnection;
  /** Registered OAuth clients, oldest first. Requires permission `core.oauth_client.manage`. */
  oauthClients: OAuthClientNodeConnection;
  /** Occasion mailings. Requires permission `marketing.campaign.read`. */
  occasions: Array<Occasion>;
  /** Opportunities you may see, newest first unless ordered otherwise. Requires permission `sales.opportunity.read`. */
  opportunities: OpportunityConnection;
  /** An opportunity you may see, or null. Requires permission `sales.opportunity.read`. */
  opportunity?: Maybe<Opportunity>;
  /** Open opportunities of a process grouped by stage, for a Kanban board: each column with its count, values and first page. Requires permission `sales.opportunity.read`. */
  opportunityBoard: Array<BoardColumn>;
  /** Every permission the enabled plugins define. Requires permission `core.role.manage`. */
  permissions: Array<PermissionInfo>;
  /** One person; null when it does not exist or is outside your area. Requires permission `core.person.read`. */
  person?: Maybe<Person>;
  /** Persons in your area, by last and first name. Requires permission `core.person.read`. */
  persons: PersonConnection;
  /** New, won and lost opportunities per day, week, month or quarter. Requires permission `sales.report.read`. */
  pipelineFlow: Array<PipelineFlowBucket>;
  /** Portal accounts, oldest first. Requires permission `core.portal_account.manage`. */
  portalAccounts: PortalAccountNodeConnection;
  /** Per rep: opened, new clients, stage advances, won, lost, activity. Requires permission `sales.report.read`. */
  repScorecard: Array<RepScore>;
  /** Roles, oldest first. Requires permission `core.user.read`. */
  roles: RoleNodeConnection;
  /** Lead routing rules in the order they are tried. Requires permission `marketing.lead.route`. */
  routingRules: Array<RoutingRule>;
  /** One rule; null when there is none. Requires permission `core.rule.read`. */
  rule?: Maybe<Rule>;
  /** Runs of a rule (what it did, or why it failed), oldest first. Requires permission `core.rule.read`. */
  ruleRuns: RuleRunTypeConnection;
  /** Process rules, oldest first. Requires permission `core.rule.read`. */
  rules: RuleConnection;
  /** Sales plans overlapping the period, with actual and forecast figures. Requires permission `sales.report.read`. */
  salesPlans: Array<SalesPlanType>;
  /** Sales processes, active first, then by name. Requires permission `sales.opportunity.read`. */
  salesProcesses: Array<SalesProcess>;
  /** Companies and persons in your area whose name, NIP, REGON, e-mail or phone contains every word. Requires a signed-in actor. */
  search: SearchResults;
  /** Requires permission `marketing.segment.read`. */
  segment?: Maybe<Segment>;
  /** Persons a segment selects now, by id: a mailing or call list. Requires permission `marketing.segment.read`. */
  segmentMembers: PersonConnection;
  /** Count what criteria select (and how many may be mailed for `purpose`) before using them. Requires permission `marketing.segment.read`. */
  segmentPreview: SegmentPreview;
  /** Segments, oldest first. Requires permission `marketing.segment.read`. */
  segments: SegmentConnection;
  /** Version, deployment shape and enabled plugins. Requires permission `core.system.read`. */
  system: SystemInfo;
  /** Teams, oldest first. Requires permission `core.user.read`. */
  teams: TeamNodeConnection;
  /** Territories, oldest first. Requires permission `core.user.read`. */
  territories: TerritoryNodeConnection;
  /** The history of a company or a person, newest first. Requires permission `core.company.read`. */
  timeline: TimelineEntryTypeConnection;
  /** Kinds of timeline entries the enabled plugins write. Requires a signed-in actor. */
  timelineKinds: Array<TimelineKindType>;
  /** Sites that report web activity. Requires permission `marketing.form.manage`. */
  trackingSites: Array<TrackingSite>;
  /** How many of your notifications are unread. Requires a signed-in actor. */
  unreadNotificationCount: Scalars['Int']['output'];
  /** New leads no routing rule placed (no owner), newest first. Requires permission `marketing.lead.route`. */
  unroutedLeads: RoutedLeadConnection;
  /** Staff users, oldest first. Requires permission `core.user.read`. */
  users: UserNodeConnection;
  /** The actor sending this request. Public. */
  viewer: Viewer;
  /** The delivery log of an endpoint, oldest first. Requires permission `core.rule.read`. */
  webhookDeliveries: WebhookDeliveryTypeConnection;
  /** Webhook endpoints, oldest first. Requires permission `core.rule.read`. */
  webhookEndpoints: WebhookEndpointConnection;
};


export type QueryAttachmentsArgs = {
  subject: Scalars['ID']['input'];
};


export type QueryAuditLogArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  entity?: InputMaybe<Scalars['ID']['input']>;
  entityType?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryCalendarArgs = {
  end: Scalars['DateTime']['input'];
  start: Scalars['DateTime']['input'];
  users?: InputMaybe<Array<Scalars['ID']['input']>>;
};


export type QueryCallQueueArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  assignee?: InputMaybe<Scalars['ID']['input']>;
  dueBefore?: InputMaybe<Scalars['DateTime']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  mine?: Scalars['Boolean']['input'];
  source?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<CallQueueStatus>;
  team?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryCampaignArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCampaignPreviewArgs = {
  id: Scalars['ID']['input'];
  recipient?: InputMaybe<Scalars['ID']['input']>;
};


export type QueryCampaignStatsArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCampaignsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<Scalars['String']['input']>;
};


export type QueryChangesArgs = {
  entities?: InputMaybe<Array<SyncEntity>>;
  first?: InputMaybe<Scalars['Int']['input']>;
  since?: InputMaybe<Scalars['String']['input']>;
};


export type QueryCompaniesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<CompanyFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<RecordOrder>;
};


export type QueryCompanyArgs = {
  id: Scalars['ID']['input'];
};


export type QueryCustomFieldDefinitionsArgs = {
  entity: Scalars['String']['input'];
  includeArchived?: Scalars['Boolean']['input'];
};


export type QueryDeadLettersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  target?: InputMaybe<Scalars['String']['input']>;
};


export type QueryFindByPhoneArgs = {
  phone: Scalars['String']['input'];
};


export type QueryForecastArgs = {
  filter: SalesReportFilter;
  historyDays?: Scalars['Int']['input'];
};


export type QueryFormSubmissionsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  form?: InputMaybe<Scalars['ID']['input']>;
  status?: InputMaybe<Scalars['String']['input']>;
};


export type QueryFormsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryFunnelArgs = {
  filter: SalesReportFilter;
};


export type QueryHolidaysArgs = {
  year: Scalars['Int']['input'];
};


export type QueryIncomingMailArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  mailbox?: InputMaybe<Scalars['String']['input']>;
  status?: InputMaybe<IncomingMailStatus>;
  threadKey?: InputMaybe<Scalars['String']['input']>;
};


export type QueryMergeCandidatesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: Scalars['String']['input'];
};


export type QueryNodeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryNotificationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  unreadOnly?: Scalars['Boolean']['input'];
};


export type QueryOauthClientsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryOpportunitiesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<OpportunityFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<OpportunityOrder>;
};


export type QueryOpportunityArgs = {
  id: Scalars['ID']['input'];
};


export type QueryOpportunityBoardArgs = {
  filter?: InputMaybe<OpportunityFilter>;
  first?: Scalars['Int']['input'];
  process: Scalars['ID']['input'];
};


export type QueryPersonArgs = {
  id: Scalars['ID']['input'];
};


export type QueryPersonsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<PersonFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<RecordOrder>;
};


export type QueryPipelineFlowArgs = {
  filter: SalesReportFilter;
  interval?: FlowInterval;
};


export type QueryPortalAccountsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryRepScorecardArgs = {
  filter: SalesReportFilter;
};


export type QueryRolesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryRuleArgs = {
  id: Scalars['ID']['input'];
};


export type QueryRuleRunsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  ruleId: Scalars['ID']['input'];
};


export type QueryRulesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QuerySalesPlansArgs = {
  periodEnd: Scalars['Date']['input'];
  periodStart: Scalars['Date']['input'];
};


export type QuerySalesProcessesArgs = {
  includeArchived?: Scalars['Boolean']['input'];
};


export type QuerySearchArgs = {
  first?: Scalars['Int']['input'];
  query: Scalars['String']['input'];
};


export type QuerySegmentArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySegmentMembersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  id: Scalars['ID']['input'];
  withPhone?: Scalars['Boolean']['input'];
};


export type QuerySegmentPreviewArgs = {
  criteria: Scalars['JSON']['input'];
  purpose?: Scalars['String']['input'];
};


export type QuerySegmentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  includeArchived?: Scalars['Boolean']['input'];
};


export type QueryTeamsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryTerritoriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryTimelineArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  kinds?: InputMaybe<Array<Scalars['String']['input']>>;
  subject: Scalars['ID']['input'];
};


export type QueryUnroutedLeadsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryUsersArgs = {
  active?: InputMaybe<Scalars['Boolean']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryWebhookDeliveriesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  endpointId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryWebhookEndpointsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** Names sort in Polish alphabetical order; records without the custom field come last. */
export type RecordOrder = {
  by?: RecordOrderField;
  /** The key, when `by` is CUSTOM_FIELD. */
  customField?: InputMaybe<Scalars['String']['input']>;
  descending?: Scalars['Boolean']['input'];
};

/** What a list of companies or persons is ordered by. */
export type RecordOrderField =
  | 'CREATED_AT'
  | 'CUSTOM_FIELD'
  | 'NAME'
  | 'UPDATED_AT';

export type ReferenceFieldValue = CustomFieldValue & {
  __typename?: 'ReferenceFieldValue';
  definition: CustomFieldDefinition;
  /** Global id of the company or person; resolve it with `node`. */
  id: Scalars['ID']['output'];
};

export type RepScore = {
  __typename?: 'RepScore';
  /** Calls, e-mails, meetings and notes they logged. */
  activities: Scalars['Int']['output'];
  lost: Scalars['Int']['output'];
  /** Companies whose first deal was won in the period. */
  newClients: Scalars['Int']['output'];
  /** Opportunities opened in the period. */
  opened: Scalars['Int']['output'];
  /** Stages after the first their opportunities entered for the first time in the period. */
  stageAdvances: Scalars['Int']['output'];
  user?: Maybe<UserNode>;
  winRate?: Maybe<Scalars['Float']['output']>;
  won: Scalars['Int']['output'];
  wonValue: Scalars['Decimal']['output'];
};

export type RoleDeletePayload = {
  __typename?: 'RoleDeletePayload';
  deletedId?: Maybe<Scalars['ID']['output']>;
  userErrors: Array<UserError>;
};

export type RoleInput = {
  description?: Scalars['String']['input'];
  name: Scalars['String']['input'];
  permissions?: Array<Scalars['String']['input']>;
  recordScope?: Scalars['String']['input'];
};

/** A set of permissions and how far they reach (own, team, territory or all records). */
export type RoleNode = Node & {
  __typename?: 'RoleNode';
  /** Shipped by a plugin; still editable. */
  builtin: Scalars['Boolean']['output'];
  description: Scalars['String']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** Permission codes; "*" grants every permission. */
  permissions: Array<Scalars['String']['output']>;
  recordScope: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type RoleNodeConnection = {
  __typename?: 'RoleNodeConnection';
  /** Contains the nodes in this connection */
  edges: Array<RoleNodeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type RoleNodeEdge = {
  __typename?: 'RoleNodeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: RoleNode;
};

export type RolePayload = {
  __typename?: 'RolePayload';
  role?: Maybe<RoleNode>;
  userErrors: Array<UserError>;
};

export type RoleUpdateInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  permissions?: InputMaybe<Array<Scalars['String']['input']>>;
  recordScope?: InputMaybe<Scalars['String']['input']>;
};

/** A new lead and where routing sent it. */
export type RoutedLead = {
  __typename?: 'RoutedLead';
  company?: Maybe<Company>;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** Null: no rule matched. */
  owner?: Maybe<UserNode>;
  person?: Maybe<Person>;
  source: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type RoutedLeadConnection = {
  __typename?: 'RoutedLeadConnection';
  /** Contains the nodes in this connection */
  edges: Array<RoutedLeadEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type RoutedLeadEdge = {
  __typename?: 'RoutedLeadEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: RoutedLead;
};

/** Where new leads go; rules are tried in order, the first match wins. */
export type RoutingRule = Node & {
  __typename?: 'RoutingRule';
  active: Scalars['Boolean']['output'];
  /** The named salesperson, or null for round-robin within the team. */
  assignee?: Maybe<UserNode>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  maxEmployees?: Maybe<Scalars['Int']['output']>;
  /** Company size from its `employees` custom field. */
  minEmployees?: Maybe<Scalars['Int']['output']>;
  name: Scalars['String']['output'];
  position: Scalars['Int']['output'];
  /** "" (any), "form", "form:<key>", "import", "campaign" or "other". */
  source: Scalars['String']['output'];
  /** Members of this team take the rule's leads in turn. */
  team?: Maybe<TeamNode>;
  /** Leads in this territory or one inside it; null: anywhere. */
  territory?: Maybe<Scalars['String']['output']>;
};

export type RoutingRuleInput = {
  active?: Scalars['Boolean']['input'];
  /** A User: gets every lead of the rule. */
  assignee?: InputMaybe<Scalars['ID']['input']>;
  maxEmployees?: InputMaybe<Scalars['Int']['input']>;
  minEmployees?: InputMaybe<Scalars['Int']['input']>;
  name: Scalars['String']['input'];
  source?: Scalars['String']['input'];
  /** A Team: its members take turns. */
  team?: InputMaybe<Scalars['ID']['input']>;
  /** A territory code; null: anywhere. */
  territory?: InputMaybe<Scalars['String']['input']>;
};

export type RoutingRulePayload = {
  __typename?: 'RoutingRulePayload';
  routingRule?: Maybe<RoutingRule>;
  userErrors: Array<UserError>;
};

export type RoutingRulesPayload = {
  __typename?: 'RoutingRulesPayload';
  routingRules: Array<RoutingRule>;
  userErrors: Array<UserError>;
};

/** When an event happens and its conditions hold, run the actions. */
export type Rule = Node & {
  __typename?: 'Rule';
  /** Ordered actions: email, task, set_field, webhook (see docs/rules.md). Ids are global ids. */
  actions: Scalars['JSON']['output'];
  /** Events from before this moment never run the rule. */
  activeSince: Scalars['DateTime']['output'];
  /** {"all" | "any": [{field, op, value} | group, …]}; {} = always. Ids are global ids. */
  conditions: Scalars['JSON']['output'];
  createdAt: Scalars['DateTime']['output'];
  enabled: Scalars['Boolean']['output'];
  eventType: Scalars['String']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

/** A connection to a list of items. */
export type RuleConnection = {
  __typename?: 'RuleConnection';
  /** Contains the nodes in this connection */
  edges: Array<RuleEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

export type RuleCreateInput = {
  /** A list of actions (see docs/rules.md). */
  actions: Scalars['JSON']['input'];
  /** None or {} runs on every such event. */
  conditions?: InputMaybe<Scalars['JSON']['input']>;
  enabled?: Scalars['Boolean']['input'];
  /** A name from eventTypes, e.g. sales.opportunity.won. */
  eventType: Scalars['String']['input'];
  name: Scalars['String']['input'];
};

export type RuleDeletePayload = {
  __typename?: 'RuleDeletePayload';
  deletedRuleId?: Maybe<Scalars['ID']['output']>;
  userErrors: Array<UserError>;
};

/** An edge in a connection. */
export type RuleEdge = {
  __typename?: 'RuleEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: Rule;
};

export type RulePayload = {
  __typename?: 'RulePayload';
  rule?: Maybe<Rule>;
  userErrors: Array<UserError>;
};

/** One run of a rule for one event. */
export type RuleRunType = {
  __typename?: 'RuleRunType';
  attempts: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  error: Scalars['String']['output'];
  /** The event's outbox message. */
  eventId: Scalars['ID']['output'];
  eventType: Scalars['String']['output'];
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /** What each action did, or why it was skipped. */
  notes: Array<Scalars['String']['output']>;
  /** succeeded, retrying or failed. */
  status: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type RuleRunTypeConnection = {
  __typename?: 'RuleRunTypeConnection';
  /** Contains the nodes in this connection */
  edges: Array<RuleRunTypeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type RuleRunTypeEdge = {
  __typename?: 'RuleRunTypeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: RuleRunType;
};

/** What to change; absent fields stay as they are. */
export type RuleUpdateInput = {
  actions?: InputMaybe<Scalars['JSON']['input']>;
  conditions?: InputMaybe<Scalars['JSON']['input']>;
  enabled?: InputMaybe<Scalars['Boolean']['input']>;
  eventType?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
};

export type SalesPlanInput = {
  /** Inclusive. */
  periodEnd: Scalars['Date']['input'];
  periodStart: Scalars['Date']['input'];
  targetDeals?: Scalars['Int']['input'];
  /** In the reporting currency. */
  targetValue: Scalars['Decimal']['input'];
  team?: InputMaybe<Scalars['ID']['input']>;
  user?: InputMaybe<Scalars['ID']['input']>;
};

export type SalesPlanPayload = {
  __typename?: 'SalesPlanPayload';
  planId?: Maybe<Scalars['ID']['output']>;
  userErrors: Array<UserError>;
};

/** A sales plan with how it is going. */
export type SalesPlanType = {
  __typename?: 'SalesPlanType';
  actualDeals: Scalars['Int']['output'];
  actualValue: Scalars['Decimal']['output'];
  /** Actual plus what open deals are expected to bring. */
  forecastValue: Scalars['Decimal']['output'];
  id: Scalars['ID']['output'];
  periodEnd: Scalars['Date']['output'];
  periodStart: Scalars['Date']['output'];
  targetDeals: Scalars['Int']['output'];
  targetValue: Scalars['Decimal']['output'];
  team?: Maybe<TeamNode>;
  user?: Maybe<UserNode>;
};

/** A way of selling: ordered stages an opportunity goes through. */
export type SalesProcess = Node & {
  __typename?: 'SalesProcess';
  archived: Scalars['Boolean']['output'];
  createdAt: Scalars['DateTime']['output'];
  description: Scalars['String']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** In their order. */
  stages: Array<SalesStage>;
  /** The team that sells this way. */
  team?: Maybe<TeamNode>;
};

export type SalesProcessCreateInput = {
  description?: Scalars['String']['input'];
  name: Scalars['String']['input'];
  /** In their order. */
  stages: Array<SalesStageInput>;
  team?: InputMaybe<Scalars['ID']['input']>;
};

export type SalesProcessPayload = {
  __typename?: 'SalesProcessPayload';
  process?: Maybe<SalesProcess>;
  userErrors: Array<UserError>;
};

/** Only the fields given change. */
export type SalesProcessUpdateInput = {
  /** Archived processes take no new deals. */
  archived?: InputMaybe<Scalars['Boolean']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  /** null: the process belongs to no team any more. */
  team?: InputMaybe<Scalars['ID']['input']>;
};

/** Whose figures, for which days (both ends included). */
export type SalesReportFilter = {
  owners?: InputMaybe<Array<Scalars['ID']['input']>>;
  periodEnd: Scalars['Date']['input'];
  periodStart: Scalars['Date']['input'];
  process?: InputMaybe<Scalars['ID']['input']>;
  team?: InputMaybe<Scalars['ID']['input']>;
};

/** A step of a sales process. */
export type SalesStage = Node & {
  __typename?: 'SalesStage';
  /** Longer than this in the stage means stuck. */
  expectedDays?: Maybe<Scalars['Int']['output']>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** 1 for the first stage of the process. */
  position: Scalars['Int']['output'];
  /** Default chance of winning from this stage, in percent. */
  probability: Scalars['Int']['output'];
  process?: Maybe<SalesProcess>;
  /** What an opportunity must have before entering: value, expectedCloseDate, company, person, competitors or custom.<key>. */
  requiredFields: Array<Scalars['String']['output']>;
};

export type SalesStageInput = {
  /** Longer than this here = stuck. */
  expectedDays?: InputMaybe<Scalars['Int']['input']>;
  name: Scalars['String']['input'];
  /** Default chance of winning from here, 0-100. */
  probability?: Scalars['Int']['input'];
  /** value, expectedCloseDate, company, person, competitors or custom.<key>. */
  requiredFields?: Array<Scalars['String']['input']>;
};

export type SalesStagePayload = {
  __typename?: 'SalesStagePayload';
  stage?: Maybe<SalesStage>;
  userErrors: Array<UserError>;
};

/** The best matches of each kind, by name. */
export type SearchResults = {
  __typename?: 'SearchResults';
  companies: Array<Company>;
  persons: Array<Person>;
};

/** A saved, dynamic list of persons. */
export type Segment = Node & {
  __typename?: 'Segment';
  archived: Scalars['Boolean']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** The criteria tree: {"all": […]}, {"any": […]}, {"not": {…}} or a leaf — {"field", "op", "value"}, {"tag"}, {"companyTag"}, {"custom", "op", "value"}, {"companyCustom", "op", "value"}, {"consent"}, {"has": "email" | "phone"}, {"fact", "params"}. See docs/marketing.md. */
  criteria: Scalars['JSON']['output'];
  description: Scalars['String']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
};

/** Turn a segment's call list into queued calls, for a user or a team. */
export type SegmentCallsInput = {
  /** Defaults to you (unless a team). */
  assignee?: InputMaybe<Scalars['ID']['input']>;
  /** Defaults to now. */
  dueAt?: InputMaybe<Scalars['DateTime']['input']>;
  /** 1 is the most urgent, 5 the least. */
  priority?: Scalars['Int']['input'];
  /** The consent to phone calls each member must have. */
  purpose?: Scalars['String']['input'];
  reason: Scalars['String']['input'];
  /** False only for calls that need no consent (a contract, a claim). */
  requireConsent?: Scalars['Boolean']['input'];
  segment: Scalars['ID']['input'];
  team?: InputMaybe<Scalars['ID']['input']>;
};

export type SegmentCallsPayload = {
  __typename?: 'SegmentCallsPayload';
  /** Calls being put into the queue, in the background: they show in `callQueue` within moments. */
  queued: Scalars['Int']['output'];
  /** Members who already had an open call for this reason. */
  skipped: Scalars['Int']['output'];
  userErrors: Array<UserError>;
};

/** A connection to a list of items. */
export type SegmentConnection = {
  __typename?: 'SegmentConnection';
  /** Contains the nodes in this connection */
  edges: Array<SegmentEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type SegmentEdge = {
  __typename?: 'SegmentEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: Segment;
};

export type SegmentInput = {
  /** See `Segment.criteria`. */
  criteria: Scalars['JSON']['input'];
  description?: Scalars['String']['input'];
  name: Scalars['String']['input'];
};

export type SegmentPayload = {
  __typename?: 'SegmentPayload';
  segment?: Maybe<Segment>;
  userErrors: Array<UserError>;
};

/** What a segment's criteria select now: counts and the first persons. */
export type SegmentPreview = {
  __typename?: 'SegmentPreview';
  /** The first persons, by id. */
  sample: Array<Person>;
  size: SegmentSize;
};

/** How many persons a segment selects now, as far as you can see. */
export type SegmentSize = {
  __typename?: 'SegmentSize';
  /** With a phone number: the length of the call list. */
  callable: Scalars['Int']['output'];
  /** With an e-mail address, consent for the purpose, not suppressed. */
  mailable: Scalars['Int']['output'];
  persons: Scalars['Int']['output'];
};

export type SegmentUpdateInput = {
  archived?: InputMaybe<Scalars['Boolean']['input']>;
  criteria?: InputMaybe<Scalars['JSON']['input']>;
  description?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
};

/** Recipients skipped for one reason. */
export type SkipCount = {
  __typename?: 'SkipCount';
  count: Scalars['Int']['output'];
  /** no_consent, suppressed, no_address, erased or a template error. */
  reason: Scalars['String']['output'];
};

/** One step in an opportunity's history: a stage entered, or the deal closed. */
export type StageChangeType = {
  __typename?: 'StageChangeType';
  changedAt: Scalars['DateTime']['output'];
  changedBy?: Maybe<UserNode>;
  fromStage?: Maybe<SalesStage>;
  /** OPEN for a move between stages, else how it closed. */
  outcome: OpportunityStatus;
  /** Null when the deal closed. */
  toStage?: Maybe<SalesStage>;
};

export type SuppressionPayload = {
  __typename?: 'SuppressionPayload';
  email?: Maybe<Scalars['String']['output']>;
  userErrors: Array<UserError>;
};

/** A question of a form's short survey. */
export type SurveyQuestion = {
  __typename?: 'SurveyQuestion';
  /** Empty: a free answer. */
  choices: Array<Scalars['String']['output']>;
  key: Scalars['String']['output'];
  question: Scalars['String']['output'];
};

export type SurveyQuestionInput = {
  /** Empty: a free answer. */
  choices?: Array<Scalars['String']['input']>;
  key: Scalars['String']['input'];
  question: Scalars['String']['input'];
};

export type SyncEntity =
  | 'COMPANY'
  | 'PERSON';

/** The running deployment. */
export type SystemInfo = {
  __typename?: 'SystemInfo';
  /** `memory` or `rabbitmq`. */
  broker: Scalars['String']['output'];
  /** `sqlite` or `postgres`. */
  database: Scalars['String']['output'];
  plugins: Array<PluginDescription>;
  profile: Scalars['String']['output'];
  version: Scalars['String']['output'];
};

export type TaskCompletePayload = {
  __typename?: 'TaskCompletePayload';
  /** The next occurrence of a recurring task. */
  nextTask?: Maybe<TaskType>;
  /** The task just completed. */
  task?: Maybe<TaskType>;
  userErrors: Array<UserError>;
};

export type TaskInput = {
  /** Defaults to you. */
  assignee?: InputMaybe<Scalars['ID']['input']>;
  company?: InputMaybe<Scalars['ID']['input']>;
  description?: Scalars['String']['input'];
  dueAt: Scalars['DateTime']['input'];
  durationMinutes?: Scalars['Int']['input'];
  person?: InputMaybe<Scalars['ID']['input']>;
  /** iCalendar RRULE, e.g. FREQ=WEEKLY;BYDAY=MO. */
  recurrence?: Scalars['String']['input'];
  /** A reminder this long before. */
  remindMinutesBefore?: InputMaybe<Scalars['Int']['input']>;
  title: Scalars['String']['input'];
};

export type TaskPayload = {
  __typename?: 'TaskPayload';
  task?: Maybe<TaskType>;
  userErrors: Array<UserError>;
};

/** Something to do, for someone, by a time. */
export type TaskType = {
  __typename?: 'TaskType';
  assignee?: Maybe<UserNode>;
  /** Null when none, or outside your area. */
  company?: Maybe<Company>;
  completedAt?: Maybe<Scalars['DateTime']['output']>;
  description: Scalars['String']['output'];
  dueAt: Scalars['DateTime']['output'];
  durationMinutes: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  /** Which occurrence of its series this task is, from 1. */
  occurrence: Scalars['Int']['output'];
  /** Null when none, or outside your area. */
  person?: Maybe<Person>;
  /** iCalendar RRULE; empty for a one-off task. */
  recurrence: Scalars['String']['output'];
  remindAt?: Maybe<Scalars['DateTime']['output']>;
  /** The first occurrence's due time (the rule's DTSTART); null for a one-off task. */
  seriesStart?: Maybe<Scalars['DateTime']['output']>;
  status: Scalars['String']['output'];
  title: Scalars['String']['output'];
};

/** A team of staff users. */
export type TeamNode = Node & {
  __typename?: 'TeamNode';
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type TeamNodeConnection = {
  __typename?: 'TeamNodeConnection';
  /** Contains the nodes in this connection */
  edges: Array<TeamNodeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type TeamNodeEdge = {
  __typename?: 'TeamNodeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: TeamNode;
};

export type TeamPayload = {
  __typename?: 'TeamPayload';
  team?: Maybe<TeamNode>;
  userErrors: Array<UserError>;
};

export type TerritoryInput = {
  code: Scalars['String']['input'];
  name: Scalars['String']['input'];
  /** Code of the enclosing territory. */
  parent?: InputMaybe<Scalars['String']['input']>;
};

/** A sales territory; a user assigned to it sees its clients. */
export type TerritoryNode = Node & {
  __typename?: 'TerritoryNode';
  code: Scalars['String']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
  /** The territory this one lies in. */
  parent?: Maybe<TerritoryNode>;
};

/** A connection to a list of items. */
export type TerritoryNodeConnection = {
  __typename?: 'TerritoryNodeConnection';
  /** Contains the nodes in this connection */
  edges: Array<TerritoryNodeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type TerritoryNodeEdge = {
  __typename?: 'TerritoryNodeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: TerritoryNode;
};

export type TerritoryPayload = {
  __typename?: 'TerritoryPayload';
  territory?: Maybe<TerritoryNode>;
  userErrors: Array<UserError>;
};

export type TextFieldValue = CustomFieldValue & {
  __typename?: 'TextFieldValue';
  definition: CustomFieldDefinition;
  text: Scalars['String']['output'];
};

export type TimelineEntryInput = {
  body?: Scalars['String']['input'];
  company?: InputMaybe<Scalars['ID']['input']>;
  cost?: InputMaybe<Scalars['Decimal']['input']>;
  durationMinutes?: Scalars['Int']['input'];
  /** A kind from `timelineKinds`, namespaced by the plugin that defines it: `core.call`, not `call`. */
  kind: Scalars['String']['input'];
  /** Defaults to now. */
  occurredAt?: InputMaybe<Scalars['DateTime']['input']>;
  person?: InputMaybe<Scalars['ID']['input']>;
  title?: Scalars['String']['input'];
};

export type TimelineEntryPayload = {
  __typename?: 'TimelineEntryPayload';
  entry?: Maybe<TimelineEntryType>;
  userErrors: Array<UserError>;
};

/** One contact with a client: a call, an e-mail, a meeting, an invoice issued… */
export type TimelineEntryType = {
  __typename?: 'TimelineEntryType';
  author?: Maybe<UserNode>;
  body: Scalars['String']['output'];
  /** Null when none, or outside your area. */
  company?: Maybe<Company>;
  cost: Scalars['Decimal']['output'];
  data: Scalars['JSON']['output'];
  durationMinutes: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  kind: Scalars['String']['output'];
  occurredAt: Scalars['DateTime']['output'];
  /** Null when none, or outside your area. */
  person?: Maybe<Person>;
  /** Where the entry comes from, e.g. `offers.invoice:17`. */
  source: Scalars['String']['output'];
  title: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type TimelineEntryTypeConnection = {
  __typename?: 'TimelineEntryTypeConnection';
  /** Contains the nodes in this connection */
  edges: Array<TimelineEntryTypeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type TimelineEntryTypeEdge = {
  __typename?: 'TimelineEntryTypeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: TimelineEntryType;
};

/** A kind of timeline entry. */
export type TimelineKindType = {
  __typename?: 'TimelineKindType';
  /** In the language of the request. */
  label: Scalars['String']['output'];
  /** Namespaced by the plugin that defines it, e.g. `core.call`. */
  name: Scalars['String']['output'];
};

export type TotpPayload = {
  __typename?: 'TotpPayload';
  enabled: Scalars['Boolean']['output'];
  userErrors: Array<UserError>;
};

/** A website allowed to report its visitors' activity. */
export type TrackingSite = Node & {
  __typename?: 'TrackingSite';
  createdAt: Scalars['DateTime']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  /** The first part of the site's token (the secret is never shown again). */
  key: Scalars['String']['output'];
  name: Scalars['String']['output'];
  revokedAt?: Maybe<Scalars['DateTime']['output']>;
};

export type TrackingSitePayload = {
  __typename?: 'TrackingSitePayload';
  site?: Maybe<TrackingSite>;
  /** key.secret for the site's server; shown only now. */
  token?: Maybe<Scalars['String']['output']>;
  userErrors: Array<UserError>;
};

export type UserCreateInput = {
  displayName: Scalars['String']['input'];
  email: Scalars['String']['input'];
  /** At least 12 characters; stored with argon2id. */
  password?: InputMaybe<Scalars['String']['input']>;
  /** Ids of roles. */
  roles?: Array<Scalars['ID']['input']>;
  superuser?: Scalars['Boolean']['input'];
  /** The id of a team. */
  team?: InputMaybe<Scalars['ID']['input']>;
  /** Territory codes. */
  territories?: Array<Scalars['String']['input']>;
};

/** Why a mutation did not do what was asked; nothing was written. */
export type UserError = {
  __typename?: 'UserError';
  /** Stable, machine-readable error code. */
  code: Scalars['String']['output'];
  /** Path to the input field at fault (empty for the whole input). */
  field: Array<Scalars['String']['output']>;
  /** Explanation in the language of the request (Accept-Language: pl or en). */
  message: Scalars['String']['output'];
};

export type UserLockPayload = {
  __typename?: 'UserLockPayload';
  user?: Maybe<UserNode>;
  userErrors: Array<UserError>;
};

/** A staff user. */
export type UserNode = Node & {
  __typename?: 'UserNode';
  displayName: Scalars['String']['output'];
  /** E-mail address. Null without permission `core.user.read`, except on your own user. */
  email?: Maybe<Scalars['String']['output']>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  /** Null without permission `core.user.read`, except on your own user. */
  isActive?: Maybe<Scalars['Boolean']['output']>;
  /** Null without permission `core.user.read`, except on your own user. */
  isSuperuser?: Maybe<Scalars['Boolean']['output']>;
  /** Null without permission `core.user.read`, except on your own user. */
  locale?: Maybe<Scalars['String']['output']>;
  /** Null without permission `core.user.read`, except on your own user. */
  roles?: Maybe<Array<RoleNode>>;
  /** Null without permission `core.user.read`, except on your own user. */
  team?: Maybe<TeamNode>;
  /** Null without permission `core.user.read`, except on your own user. */
  territories?: Maybe<Array<TerritoryNode>>;
};

/** A connection to a list of items. */
export type UserNodeConnection = {
  __typename?: 'UserNodeConnection';
  /** Contains the nodes in this connection */
  edges: Array<UserNodeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type UserNodeEdge = {
  __typename?: 'UserNodeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: UserNode;
};

export type UserPayload = {
  __typename?: 'UserPayload';
  user?: Maybe<UserNode>;
  userErrors: Array<UserError>;
};

export type UserUpdateInput = {
  displayName?: InputMaybe<Scalars['String']['input']>;
  isActive?: InputMaybe<Scalars['Boolean']['input']>;
  /** Ids of roles; replaces the user's roles. */
  roles?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** The id of a team; null removes the team, leaving it out keeps it. */
  team?: InputMaybe<Scalars['ID']['input']>;
  /** Replaces the user's territories. */
  territories?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** Who is asking, and what they may do. Plugins add fields about the viewer's own data. */
export type Viewer = {
  __typename?: 'Viewer';
  /** Your personal access tokens, newest first. Requires a signed-in actor. */
  accessTokens: Array<AccessTokenNode>;
  /** Id of the signed-in user, person or client; null when anonymous. */
  actorId?: Maybe<Scalars['String']['output']>;
  /** Name to greet the viewer with. */
  displayName: Scalars['String']['output'];
  /** anonymous, staff, portal, service or system. */
  kind: Scalars['String']['output'];
  /** Permission codes the viewer holds. */
  permissions: Array<Scalars['String']['output']>;
};

/** A contact form embedded on a website; its posts become leads. */
export type WebForm = Node & {
  __typename?: 'WebForm';
  active: Scalars['Boolean']['output'];
  /** Sites allowed to post it from a browser (CORS). */
  allowedOrigins: Array<Scalars['String']['output']>;
  consents: Array<ConsentOffer>;
  createdAt: Scalars['DateTime']['output'];
  fields: Array<Scalars['String']['output']>;
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  /** Public: posts go to /plugins/marketing/forms/{key}. */
  key: Scalars['String']['output'];
  name: Scalars['String']['output'];
  required: Array<Scalars['String']['output']>;
  survey: Array<SurveyQuestion>;
};

/** A connection to a list of items. */
export type WebFormConnection = {
  __typename?: 'WebFormConnection';
  /** Contains the nodes in this connection */
  edges: Array<WebFormEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type WebFormEdge = {
  __typename?: 'WebFormEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: WebForm;
};

/** One attempt to deliver a webhook. */
export type WebhookAttemptType = {
  __typename?: 'WebhookAttemptType';
  attempt: Scalars['Int']['output'];
  attemptedAt: Scalars['DateTime']['output'];
  durationMs: Scalars['Int']['output'];
  error: Scalars['String']['output'];
  /** The start of the receiver's answer. */
  responseBody: Scalars['String']['output'];
  /** Null when no answer came (refused, timeout). */
  statusCode?: Maybe<Scalars['Int']['output']>;
};

export type WebhookDeliveryPayload = {
  __typename?: 'WebhookDeliveryPayload';
  delivery?: Maybe<WebhookDeliveryType>;
  userErrors: Array<UserError>;
};

/** One message to one endpoint, with every attempt to deliver it. */
export type WebhookDeliveryType = {
  __typename?: 'WebhookDeliveryType';
  attemptCount: Scalars['Int']['output'];
  /** Oldest first. */
  attempts: Array<WebhookAttemptType>;
  createdAt: Scalars['DateTime']['output'];
  eventType: Scalars['String']['output'];
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  /** The webhook-id header, the same on every attempt. */
  messageId: Scalars['String']['output'];
  /** pending, succeeded or failed. */
  status: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type WebhookDeliveryTypeConnection = {
  __typename?: 'WebhookDeliveryTypeConnection';
  /** Contains the nodes in this connection */
  edges: Array<WebhookDeliveryTypeEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

/** An edge in a connection. */
export type WebhookDeliveryTypeEdge = {
  __typename?: 'WebhookDeliveryTypeEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: WebhookDeliveryType;
};

/** Where webhook actions post; requests are signed with its secret. */
export type WebhookEndpoint = Node & {
  __typename?: 'WebhookEndpoint';
  createdAt: Scalars['DateTime']['output'];
  /** The Globally Unique ID of this object */
  id: Scalars['ID']['output'];
  isActive: Scalars['Boolean']['output'];
  name: Scalars['String']['output'];
  secretRotatedAt?: Maybe<Scalars['DateTime']['output']>;
  url: Scalars['String']['output'];
};

/** A connection to a list of items. */
export type WebhookEndpointConnection = {
  __typename?: 'WebhookEndpointConnection';
  /** Contains the nodes in this connection */
  edges: Array<WebhookEndpointEdge>;
  /** Pagination data for this connection */
  pageInfo: PageInfo;
};

export type WebhookEndpointCreateInput = {
  name: Scalars['String']['input'];
  /** https:// in production; http:// is accepted elsewhere. */
  url: Scalars['String']['input'];
};

/** An edge in a connection. */
export type WebhookEndpointEdge = {
  __typename?: 'WebhookEndpointEdge';
  /** A cursor for use in pagination */
  cursor: Scalars['String']['output'];
  /** The item at the end of the edge */
  node: WebhookEndpoint;
};

export type WebhookEndpointPayload = {
  __typename?: 'WebhookEndpointPayload';
  endpoint?: Maybe<WebhookEndpoint>;
  /** whsec_…: shown once, when created or rotated; store it safely. */
  secret?: Maybe<Scalars['String']['output']>;
  userErrors: Array<UserError>;
};

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { __typename?: 'Query', viewer: { __typename?: 'Viewer', displayName: string, permissions: Array<string> } };

export type CompanyCardQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type CompanyCardQuery = { __typename?: 'Query', company?: { __typename?: 'Company', id: string, name: string, nip?: string | null, regon?: string | null, website: string, lifecycle: Lifecycle, tags: Array<string>, createdAt: string, owner?: { __typename?: 'UserNode', displayName: string } | null, territory?: { __typename?: 'TerritoryNode', name: string } | null, phones: Array<{ __typename?: 'ContactPointType', value: string, label: string }>, emails: Array<{ __typename?: 'ContactPointType', value: string, label: string }>, addresses: Array<{ __typename?: 'AddressType', street: string, postalCode: string, city: string }>, employees: { __typename?: 'EmploymentConnection', edges: Array<{ __typename?: 'EmploymentEdge', node: { __typename?: 'Employment', position: string, person?: { __typename?: 'Person', id: string, fullName: string, phones: Array<{ __typename?: 'ContactPointType', value: string }>, emails: Array<{ __typename?: 'ContactPointType', value: string }> } | null } }> } } | null };

export type AddNoteMutationVariables = Exact<{
  input: TimelineEntryInput;
}>;


export type AddNoteMutation = { __typename?: 'Mutation', timelineEntryCreate: { __typename?: 'TimelineEntryPayload', entry?: { __typename?: 'TimelineEntryType', id: string } | null, userErrors: Array<{ __typename?: 'UserError', field: Array<string>, code: string, message: string }> } };

export type CompanyListQueryVariables = Exact<{
  first: Scalars['Int']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<CompanyFilter>;
  orderBy?: InputMaybe<RecordOrder>;
}>;


export type CompanyListQuery = { __typename?: 'Query', companies: { __typename?: 'CompanyConnection', pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'CompanyEdge', node: { __typename?: 'Company', id: string, name: string, nip?: string | null, tags: Array<string>, phones: Array<{ __typename?: 'ContactPointType', value: string, isPrimary: boolean }>, emails: Array<{ __typename?: 'ContactPointType', value: string, isPrimary: boolean }>, territory?: { __typename?: 'TerritoryNode', name: string } | null } }> } };

export type PersonListQueryVariables = Exact<{
  first: Scalars['Int']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<PersonFilter>;
  orderBy?: InputMaybe<RecordOrder>;
}>;


export type PersonListQuery = { __typename?: 'Query', persons: { __typename?: 'PersonConnection', pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'PersonEdge', node: { __typename?: 'Person', id: string, fullName: string, tags: Array<string>, phones: Array<{ __typename?: 'ContactPointType', value: string, isPrimary: boolean }>, emails: Array<{ __typename?: 'ContactPointType', value: string, isPrimary: boolean }>, employments: Array<{ __typename?: 'Employment', position: string, isPrimary: boolean, company?: { __typename?: 'Company', id: string, name: string } | null }> } }> } };

export type TimelineQueryVariables = Exact<{
  subject: Scalars['ID']['input'];
  kinds?: InputMaybe<Array<Scalars['String']['input']> | Scalars['String']['input']>;
  first: Scalars['Int']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type TimelineQuery = { __typename?: 'Query', timeline: { __typename?: 'TimelineEntryTypeConnection', pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'TimelineEntryTypeEdge', node: { __typename?: 'TimelineEntryType', id: string, kind: string, occurredAt: string, title: string, body: string, durationMinutes: number, author?: { __typename?: 'UserNode', displayName: string } | null } }> } };

export type TimelineKindsQueryVariables = Exact<{ [key: string]: never; }>;


export type TimelineKindsQuery = { __typename?: 'Query', timelineKinds: Array<{ __typename?: 'TimelineKindType', name: string, label: string }> };


export const ViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"displayName"}},{"kind":"Field","name":{"kind":"Name","value":"permissions"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;
export const CompanyCardDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CompanyCard"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"company"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"nip"}},{"kind":"Field","name":{"kind":"Name","value":"regon"}},{"kind":"Field","name":{"kind":"Name","value":"website"}},{"kind":"Field","name":{"kind":"Name","value":"lifecycle"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"owner"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"Field","name":{"kind":"Name","value":"territory"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"phones"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"label"}}]}},{"kind":"Field","name":{"kind":"Name","value":"emails"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"label"}}]}},{"kind":"Field","name":{"kind":"Name","value":"addresses"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"street"}},{"kind":"Field","name":{"kind":"Name","value":"postalCode"}},{"kind":"Field","name":{"kind":"Name","value":"city"}}]}},{"kind":"Field","name":{"kind":"Name","value":"employees"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"person"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"fullName"}},{"kind":"Field","name":{"kind":"Name","value":"phones"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"emails"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CompanyCardQuery, CompanyCardQueryVariables>;
export const AddNoteDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddNote"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimelineEntryInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timelineEntryCreate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"entry"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"userErrors"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<AddNoteMutation, AddNoteMutationVariables>;
export const CompanyListDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CompanyList"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"CompanyFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RecordOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"companies"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"nip"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"phones"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"isPrimary"}}]}},{"kind":"Field","name":{"kind":"Name","value":"emails"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"isPrimary"}}]}},{"kind":"Field","name":{"kind":"Name","value":"territory"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<CompanyListQuery, CompanyListQueryVariables>;
export const PersonListDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PersonList"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"PersonFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"RecordOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"persons"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"fullName"}},{"kind":"Field","name":{"kind":"Name","value":"tags"}},{"kind":"Field","name":{"kind":"Name","value":"phones"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"isPrimary"}}]}},{"kind":"Field","name":{"kind":"Name","value":"emails"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"value"}},{"kind":"Field","name":{"kind":"Name","value":"isPrimary"}}]}},{"kind":"Field","name":{"kind":"Name","value":"employments"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"position"}},{"kind":"Field","name":{"kind":"Name","value":"isPrimary"}},{"kind":"Field","name":{"kind":"Name","value":"company"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PersonListQuery, PersonListQueryVariables>;
export const TimelineDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Timeline"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"subject"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"kinds"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timeline"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"subject"},"value":{"kind":"Variable","name":{"kind":"Name","value":"subject"}}},{"kind":"Argument","name":{"kind":"Name","value":"kinds"},"value":{"kind":"Variable","name":{"kind":"Name","value":"kinds"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"occurredAt"}},{"kind":"Field","name":{"kind":"Name","value":"title"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"durationMinutes"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<TimelineQuery, TimelineQueryVariables>;
export const TimelineKindsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"TimelineKinds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"timelineKinds"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"label"}}]}}]}}]} as unknown as DocumentNode<TimelineKindsQuery, TimelineKindsQueryVariables>;