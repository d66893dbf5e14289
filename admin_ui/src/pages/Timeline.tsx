import { useState } from "react";
import { useQuery } from "urql";
import { formatDateTime } from "../format";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { ListFooter, useKeysetList } from "../lists";

const TimelineDocument = graphql(`
  query Timeline($subject: ID!, $kinds: [String!], $first: Int!, $after: String) {
    timeline(subject: $subject, kinds: $kinds, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          kind
          occurredAt
          title
          body
          durationMinutes
          author {
            displayName
          }
        }
      }
    }
  }
`);

const TimelineKindsDocument = graphql(`
  query TimelineKinds {
    timelineKinds {
      name
      label
    }
  }
`);

/** A company's or person's history, newest first, optionally of one kind; `reload` after adding. */
export function useTimeline(subject: string) {
  const [kind, setKind] = useState("");
  const list = useKeysetList(TimelineDocument, { subject, kinds: kind ? [kind] : null }, (data) => data.timeline);
  return { list, kind, setKind };
}

export function Timeline({ timeline }: { timeline: ReturnType<typeof useTimeline> }) {
  const { t, language } = useI18n();
  const [{ data }] = useQuery({ query: TimelineKindsDocument });
  const kinds = data?.timelineKinds ?? [];
  const labels = new Map(kinds.map((kind) => [kind.name, kind.label]));
  const { list } = timeline;
  return (
    <>
      <label className="field">
        {t("timelineKind")}
        <select value={timeline.kind} onChange={(event) => timeline.setKind(event.target.value)}>
          <option value="">{t("allKinds")}</option>
          {kinds.map((kind) => (
            <option key={kind.name} value={kind.name}>
              {kind.label}
            </option>
          ))}
        </select>
      </label>
      <ol className="timeline" data-testid="timeline">
        {list.rows.map((node) => (
          <li key={node.id}>
            <p className="timeline-meta">
              <span className="kind">{labels.get(node.kind) ?? node.kind}</span> ·{" "}
              <time dateTime={node.occurredAt}>{formatDateTime(node.occurredAt, language)}</time>
              {node.author ? ` · ${node.author.displayName}` : ""}
              {node.durationMinutes ? ` · ${node.durationMinutes} min` : ""}
            </p>
            {node.title ? <p className="timeline-title">{node.title}</p> : null}
            {node.body ? <p className="timeline-body">{node.body}</p> : null}
          </li>
        ))}
      </ol>
      <ListFooter list={list} />
    </>
  );
}
