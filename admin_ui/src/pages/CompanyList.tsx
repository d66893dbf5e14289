import { createColumnHelper } from "@tanstack/react-table";
import { useMemo } from "react";
import { Link } from "react-router";
import { formatPhone } from "../format";
import { graphql } from "../gql";
import type { CompanyListQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import { DataTable, FilterForm, primaryValue, recordOrder, useKeysetList, useListFilters, useSortOptions } from "../lists";

const CompanyListDocument = graphql(`
  query CompanyList($first: Int!, $after: String, $filter: CompanyFilter, $orderBy: RecordOrder) {
    companies(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          nip
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
            name
          }
        }
      }
    }
  }
`);

type CompanyRow = CompanyListQuery["companies"]["edges"][number]["node"];
const column = createColumnHelper<CompanyRow>();

export function CompanyList() {
  const { t } = useI18n();
  const filters = useListFilters(["q", "tag", "territory", "sort"] as const);
  const { q, tag, territory, sort } = filters.values;
  const sortOptions = useSortOptions();
  const list = useKeysetList(
    CompanyListDocument,
    { filter: { nameContains: q || null, tag: tag || null, territory: territory || null }, orderBy: recordOrder(sort) },
    (data) => data.companies,
  );
  const columns = useMemo(
    () => [
      column.accessor("name", {
        header: () => t("colName"),
        cell: (info) => <Link to={`/companies/${encodeURIComponent(info.row.original.id)}`}>{info.getValue()}</Link>,
      }),
      column.accessor((row) => row.nip ?? "", { id: "nip", header: () => t("colNip") }),
      column.accessor((row) => formatPhone(primaryValue(row.phones)), { id: "phone", header: () => t("colPhone") }),
      column.accessor((row) => primaryValue(row.emails), { id: "email", header: () => t("colEmail") }),
      column.accessor((row) => row.territory?.name ?? "", { id: "territory", header: () => t("colTerritory") }),
      column.accessor((row) => row.tags.join(", "), { id: "tags", header: () => t("colTags") }),
    ],
    [t],
  );
  return (
    <>
      <h1>{t("companiesTitle")}</h1>
      <FilterForm
        filters={filters}
        fields={[
          { name: "q", label: t("searchByName"), type: "search" },
          { name: "tag", label: t("filterTag") },
          { name: "territory", label: t("filterTerritory") },
          { name: "sort", label: t("sortBy"), options: sortOptions },
        ]}
      />
      <DataTable list={list} columns={columns} rowTestId="company-row" />
    </>
  );
}
