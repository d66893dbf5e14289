import { createColumnHelper } from "@tanstack/react-table";
import { useMemo } from "react";
import { Link } from "react-router";
import { formatPhone } from "../format";
import { graphql } from "../gql";
import type { PersonListQuery } from "../gql/graphql";
import { useI18n } from "../i18n";
import { DataTable, FilterForm, primaryValue, recordOrder, useKeysetList, useListFilters, useSortOptions } from "../lists";

const PersonListDocument = graphql(`
  query PersonList($first: Int!, $after: String, $filter: PersonFilter, $orderBy: RecordOrder) {
    persons(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          fullName
          tags
          phones {
            value
            isPrimary
          }
          emails {
            value
            isPrimary
          }
          employments {
            position
            isPrimary
            company {
              id
              name
            }
          }
        }
      }
    }
  }
`);

type PersonRow = PersonListQuery["persons"]["edges"][number]["node"];
const column = createColumnHelper<PersonRow>();

function mainEmployment(row: PersonRow) {
  return row.employments.find((employment) => employment.isPrimary) ?? row.employments[0];
}

export function PersonList() {
  const { t } = useI18n();
  const filters = useListFilters(["q", "tag", "sort"] as const);
  const { q, tag, sort } = filters.values;
  const sortOptions = useSortOptions();
  const list = useKeysetList(
    PersonListDocument,
    { filter: { nameContains: q || null, tag: tag || null }, orderBy: recordOrder(sort) },
    (data) => data.persons,
  );
  const columns = useMemo(
    () => [
      column.accessor("fullName", { header: () => t("colName") }),
      column.display({
        id: "company",
        header: () => t("colCompany"),
        cell: (info) => {
          const company = mainEmployment(info.row.original)?.company;
          return company ? <Link to={`/companies/${encodeURIComponent(company.id)}`}>{company.name}</Link> : "";
        },
      }),
      column.accessor((row) => mainEmployment(row)?.position ?? "", { id: "position", header: () => t("colPosition") }),
      column.accessor((row) => formatPhone(primaryValue(row.phones)), { id: "phone", header: () => t("colPhone") }),
      column.accessor((row) => primaryValue(row.emails), { id: "email", header: () => t("colEmail") }),
      column.accessor((row) => row.tags.join(", "), { id: "tags", header: () => t("colTags") }),
    ],
    [t],
  );
  return (
    <>
      <h1>{t("personsTitle")}</h1>
      <FilterForm
        filters={filters}
        fields={[
          { name: "q", label: t("searchByName"), type: "search" },
          { name: "tag", label: t("filterTag") },
          { name: "sort", label: t("sortBy"), options: sortOptions },
        ]}
      />
      <DataTable list={list} columns={columns} rowTestId="person-row" />
    </>
  );
}
