import { flexRender, getCoreRowModel, useReactTable, type ColumnDef } from "@tanstack/react-table";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { useClient } from "urql";
import { Field } from "./Field";
import { useI18n } from "./i18n";

export const PAGE_SIZE = 50;

interface Connection<TNode> {
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges: readonly { node: TNode }[];
}

interface PageVariables {
  first: number;
  after?: string | null;
}

/**
 * A list read page by page with the connection's keyset cursor ("load more" appends the next
 * page). The API orders the rows (by name in Polish collation unless told otherwise).
 */
export function useKeysetList<TData, TVariables extends PageVariables, TNode>(
  document: TypedDocumentNode<TData, TVariables>,
  variables: Omit<TVariables, "first" | "after">,
  connection: (data: TData) => Connection<TNode>,
) {
  const client = useClient();
  const [rows, setRows] = useState<TNode[]>([]);
  const [pageInfo, setPageInfo] = useState<Connection<TNode>["pageInfo"]>({ hasNextPage: false });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const latestRequest = useRef(0);
  const key = JSON.stringify(variables);

  const load = useCallback(
    async (after: string | null) => {
      const request = ++latestRequest.current;
      setLoading(true);
      const pageVariables = { ...JSON.parse(key), first: PAGE_SIZE, after } as TVariables;
      const result = await client.query(document, pageVariables, { requestPolicy: "network-only" }).toPromise();
      // A newer search was started meanwhile: its answer wins.
      if (request !== latestRequest.current) return;
      setLoading(false);
      if (result.error || !result.data) {
        setError(result.error?.message ?? "");
        return;
      }
      setError(null);
      const page = connection(result.data);
      const nodes = page.edges.map((edge) => edge.node);
      setRows((previous) => (after ? [...previous, ...nodes] : nodes));
      setPageInfo(page.pageInfo);
    },
    // `connection` is a pure accessor; the variables are compared by value through `key`.
    [client, document, key],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const loadMore = () => void load(pageInfo.endCursor ?? null);
  const reload = () => void load(null);
  return { rows, loading, error, hasNextPage: pageInfo.hasNextPage, loadMore, reload };
}

export type KeysetList<TNode> = ReturnType<typeof useKeysetList<unknown, PageVariables, TNode>>;

/** Filters kept in the address (so a reload or a shared link shows the same list). */
export function useListFilters<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const values = Object.fromEntries(keys.map((key) => [key, params.get(key) ?? ""])) as Record<K, string>;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const key of keys) {
      const value = String(form.get(key) ?? "").trim();
      if (value) next.set(key, value);
    }
    setParams(next);
  };
  return { values, submit, formKey: params.toString() };
}

export function FilterForm<K extends string>({
  fields,
  filters,
}: {
  fields: readonly { name: K; label: string; type?: string; options?: readonly { value: string; label: string }[] }[];
  filters: ReturnType<typeof useListFilters<K>>;
}) {
  const { t } = useI18n();
  return (
    <form className="filters" role="search" onSubmit={filters.submit} key={filters.formKey}>
      {fields.map((field) => (
        <Field
          key={field.name}
          label={field.label}
          render={(props) =>
            field.options ? (
              // A choice applies at once; typed filters wait for "Search".
              <select {...props} name={field.name} defaultValue={filters.values[field.name]} onChange={(event) => event.currentTarget.form?.requestSubmit()}>
                {field.options.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            ) : (
              <input {...props} name={field.name} type={field.type ?? "text"} defaultValue={filters.values[field.name]} />
            )
          }
        />
      ))}
      <button type="submit">{t("search")}</button>
    </form>
  );
}

export function DataTable<TNode extends { id: string }>({
  list,
  columns,
  rowTestId,
}: {
  list: KeysetList<TNode>;
  // TanStack's column helpers type each column by its value; the table only needs the row type.
  columns: ColumnDef<TNode, any>[];
  rowTestId: string;
}): ReactNode {
  const { t } = useI18n();
  const table = useReactTable({ data: list.rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (row) => row.id });
  return (
    <>
      {list.error !== null ? (
        <p role="alert">
          {t("errorTitle")}: {list.error}
        </p>
      ) : null}
      <table className="data-table" aria-busy={list.loading}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => (
                <th key={header.id} scope="col">
                  {flexRender(header.column.columnDef.header, header.getContext())}
                </th>
              ))}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} data-testid={rowTestId}>
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <ListFooter list={list} />
    </>
  );
}

/** "No results", how many are shown, and the button that loads the next page. */
export function ListFooter({ list }: { list: Pick<KeysetList<unknown>, "rows" | "loading" | "hasNextPage" | "loadMore"> }) {
  const { t } = useI18n();
  return (
    <>
      {!list.loading && list.rows.length === 0 ? <p>{t("noResults")}</p> : null}
      <p className="list-footer" aria-live="polite">
        {list.loading ? t("loading") : t("shownCount", { count: list.rows.length })}{" "}
        {list.hasNextPage ? (
          <button type="button" disabled={list.loading} onClick={list.loadMore}>
            {t("loadMore")}
          </button>
        ) : null}
      </p>
    </>
  );
}

/** The list orders the sort choice stands for (the API's default is by name, A to Z). */
const ORDERS = {
  "": null,
  "name-desc": { by: "NAME", descending: true },
  "created-desc": { by: "CREATED_AT", descending: true },
  "updated-desc": { by: "UPDATED_AT", descending: true },
} as const;

export type SortChoice = keyof typeof ORDERS;

export function recordOrder(choice: string) {
  return ORDERS[(choice in ORDERS ? choice : "") as SortChoice];
}

export function useSortOptions() {
  const { t } = useI18n();
  return [
    { value: "", label: t("sortNameAsc") },
    { value: "name-desc", label: t("sortNameDesc") },
    { value: "created-desc", label: t("sortNewest") },
    { value: "updated-desc", label: t("sortUpdated") },
  ];
}

export function primaryValue(points: readonly { value: string; isPrimary: boolean }[]): string {
  return (points.find((point) => point.isPrimary) ?? points[0])?.value ?? "";
}
