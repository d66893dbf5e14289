import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useClient } from "urql";
import { Field } from "../Field";
import { formatPhone } from "../format";
import { graphql } from "../gql";
import type { CompanyListQuery } from "../gql/graphql";
import { useI18n } from "../i18n";

export const PAGE_SIZE = 50;

const CompanyListDocument = graphql(`
  query CompanyList($first: Int!, $after: String, $filter: CompanyFilter) {
    companies(first: $first, after: $after, filter: $filter) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          nip
          lifecycle
          tags
          phones {
            value
            isPrimary
          }
          emails {
            value
            isPrimary
          }
          territory {
            code
            name
          }
        }
      }
    }
  }
`);

type CompanyRow = CompanyListQuery["companies"]["edges"][number]["node"];

function primary(points: readonly { value: string; isPrimary: boolean }[]): string {
  return (points.find((point) => point.isPrimary) ?? points[0])?.value ?? "";
}

const column = createColumnHelper<CompanyRow>();

export function CompanyList() {
  const { t } = useI18n();
  const client = useClient();
  const [params, setParams] = useSearchParams();
  const nameContains = params.get("q") ?? "";
  const tag = params.get("tag") ?? "";
  const territory = params.get("territory") ?? "";
  const [rows, setRows] = useState<CompanyRow[]>([]);
  const [cursor, setCursor] = useState<{ hasNextPage: boolean; endCursor?: string | null }>({ hasNextPage: false });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const latestRequest = useRef(0);

  const filter = useMemo(
    () => ({ nameContains: nameContains || null, tag: tag || null, territory: territory || null }),
    [nameContains, tag, territory],
  );

  const load = useCallback(
    async (after: string | null) => {
      const request = ++latestRequest.current;
      setLoading(true);
      // The API orders by name in Polish collation and pages by keyset cursor.
      const result = await client
        .query(CompanyListDocument, { first: PAGE_SIZE, after, filter }, { requestPolicy: "network-only" })
        .toPromise();
      // A newer search was started meanwhile: its answer wins.
      if (request !== latestRequest.current) return;
      setLoading(false);
      if (result.error || !result.data) {
        setError(result.error?.message ?? "");
        return;
      }
      setError(null);
      const page = result.data.companies;
      setRows((previous) => (after ? [...previous, ...page.edges.map((edge) => edge.node)] : page.edges.map((edge) => edge.node)));
      setCursor(page.pageInfo);
    },
    [client, filter],
  );

  useEffect(() => {
    void load(null);
  }, [load]);

  const columns = useMemo(
    () => [
      column.accessor("name", {
        header: () => t("colName"),
        cell: (info) => <Link to={`/companies/${encodeURIComponent(info.row.original.id)}`}>{info.getValue()}</Link>,
      }),
      column.accessor("nip", { header: () => t("colNip"), cell: (info) => info.getValue() ?? "" }),
      column.accessor((row) => formatPhone(primary(row.phones)), { id: "phone", header: () => t("colPhone") }),
      column.accessor((row) => primary(row.emails), { id: "email", header: () => t("colEmail") }),
      column.accessor((row) => row.territory?.name ?? "", { id: "territory", header: () => t("colTerritory") }),
      column.accessor((row) => row.tags.join(", "), { id: "tags", header: () => t("colTags") }),
    ],
    [t],
  );
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (row) => row.id });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const key of ["q", "tag", "territory"]) {
      const value = String(form.get(key) ?? "").trim();
      if (value) next.set(key, value);
    }
    setParams(next);
  };

  return (
    <>
      <h1>{t("companiesTitle")}</h1>
      <form className="filters" role="search" onSubmit={submit} key={params.toString()}>
        <Field label={t("searchByName")} render={(props) => <input {...props} name="q" type="search" defaultValue={nameContains} />} />
        <Field label={t("filterTag")} render={(props) => <input {...props} name="tag" defaultValue={tag} />} />
        <Field label={t("filterTerritory")} render={(props) => <input {...props} name="territory" defaultValue={territory} />} />
        <button type="submit">{t("search")}</button>
      </form>
      {error !== null ? <p role="alert">{t("errorTitle")}: {error}</p> : null}
      <table className="data-table" aria-busy={loading}>
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
            <tr key={row.id} data-testid="company-row">
              {row.getVisibleCells().map((cell) => (
                <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && rows.length === 0 ? <p>{t("noResults")}</p> : null}
      <p className="list-footer" aria-live="polite">
        {loading ? t("loading") : t("shownCount", { count: rows.length })}{" "}
        {cursor.hasNextPage ? (
          <button type="button" disabled={loading} onClick={() => void load(cursor.endCursor ?? null)}>
            {t("loadMore")}
          </button>
        ) : null}
      </p>
    </>
  );
}
