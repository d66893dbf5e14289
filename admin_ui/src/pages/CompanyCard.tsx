import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { Field } from "../Field";
import { formatDateTime, formatPhone } from "../format";
import { graphql } from "../gql";
import { useI18n } from "../i18n";
import { errorsByField } from "../userErrors";
import { Timeline, useTimeline } from "./Timeline";

const CompanyCardDocument = graphql(`
  query CompanyCard($id: ID!) {
    company(id: $id) {
      id
      name
      nip
      regon
      website
      lifecycle
      tags
      createdAt
      owner {
        displayName
      }
      territory {
        name
      }
      phones {
        value
        label
      }
      emails {
        value
        label
      }
      addresses {
        street
        postalCode
        city
      }
      employees(first: 50) {
        edges {
          node {
            position
            person {
              id
              fullName
              phones {
                value
              }
              emails {
                value
              }
            }
          }
        }
      }
    }
  }
`);

const AddNoteDocument = graphql(`
  mutation AddNote($input: TimelineEntryInput!) {
    timelineEntryCreate(input: $input) {
      entry {
        id
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`);

export function CompanyCard() {
  const { id = "" } = useParams();
  const { t, language } = useI18n();
  const [{ data, fetching, error }] = useQuery({ query: CompanyCardDocument, variables: { id } });
  const timeline = useTimeline(id);

  if (fetching && !data) return <p>{t("loading")}</p>;
  if (error) throw new Error(error.message);
  const company = data?.company;
  if (!company) return <p role="alert">{t("companyNotFound")}</p>;

  return (
    <>
      <p>
        <Link to="/companies">{t("backToList")}</Link>
      </p>
      <h1>{company.name}</h1>
      <section aria-labelledby="details-heading" className="card">
        <h2 id="details-heading">{t("details")}</h2>
        <dl className="details">
          <dt>{t("colNip")}</dt>
          <dd>{company.nip ?? "—"}</dd>
          <dt>{t("colLifecycle")}</dt>
          <dd>{t(`lifecycle${company.lifecycle}`)}</dd>
          <dt>{t("owner")}</dt>
          <dd>{company.owner?.displayName ?? "—"}</dd>
          <dt>{t("colTerritory")}</dt>
          <dd>{company.territory?.name ?? "—"}</dd>
          <dt>{t("colPhone")}</dt>
          <dd>{company.phones.map((phone) => formatPhone(phone.value)).join(", ") || "—"}</dd>
          <dt>{t("colEmail")}</dt>
          <dd>{company.emails.map((email) => email.value).join(", ") || "—"}</dd>
          <dt>{t("website")}</dt>
          <dd>{company.website || "—"}</dd>
          <dt>{t("addresses")}</dt>
          <dd>
            {company.addresses.map((address) => `${address.street}, ${address.postalCode} ${address.city}`).join("; ") ||
              "—"}
          </dd>
          <dt>{t("colTags")}</dt>
          <dd>{company.tags.join(", ") || "—"}</dd>
          <dt>{t("createdAt")}</dt>
          <dd>{formatDateTime(company.createdAt, language)}</dd>
        </dl>
      </section>
      <section aria-labelledby="employees-heading" className="card">
        <h2 id="employees-heading">{t("employees")}</h2>
        {company.employees.edges.length === 0 ? (
          <p>{t("noEmployees")}</p>
        ) : (
          <ul>
            {company.employees.edges.map(({ node }) =>
              node.person ? (
                <li key={node.person.id}>
                  <strong>{node.person.fullName}</strong>
                  {node.position ? ` — ${node.position}` : ""}
                  {node.person.phones[0] ? ` · ${formatPhone(node.person.phones[0].value)}` : ""}
                  {node.person.emails[0] ? ` · ${node.person.emails[0].value}` : ""}
                </li>
              ) : null,
            )}
          </ul>
        )}
      </section>
      <section aria-labelledby="timeline-heading" className="card">
        <h2 id="timeline-heading">{t("timeline")}</h2>
        <AddNote companyId={company.id} onAdded={timeline.list.reload} />
        <Timeline timeline={timeline} />
      </section>
    </>
  );
}

function AddNote({ companyId, onAdded }: { companyId: string; onAdded: () => void }) {
  const { t } = useI18n();
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [minutes, setMinutes] = useState("0");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [{ fetching }, addNote] = useMutation(AddNoteDocument);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await addNote({
      input: { kind: "core.note", company: companyId, title, body, durationMinutes: Number(minutes) || 0 },
    });
    // On any failure the typed text stays in the form.
    if (result.error) {
      setErrors({ "": result.error.message });
      return;
    }
    const payload = result.data?.timelineEntryCreate;
    if (payload && payload.userErrors.length > 0) {
      setErrors(errorsByField(payload.userErrors));
      return;
    }
    setErrors({});
    setTitle("");
    setBody("");
    setMinutes("0");
    onAdded();
  };

  const formError = errors[""] ?? (Object.keys(errors).length > 0 ? t("formError") : undefined);
  return (
    <form className="note-form" onSubmit={(event) => void submit(event)} aria-labelledby="add-note-heading">
      <h3 id="add-note-heading">{t("addNote")}</h3>
      {formError ? <p role="alert">{formError}</p> : null}
      <Field
        label={t("noteTitle")}
        error={errors.title}
        render={(props) => <input {...props} value={title} onChange={(event) => setTitle(event.target.value)} />}
      />
      <Field
        label={t("noteBody")}
        error={errors.body}
        render={(props) => <textarea {...props} rows={3} value={body} onChange={(event) => setBody(event.target.value)} />}
      />
      <Field
        label={t("noteMinutes")}
        error={errors.durationMinutes}
        render={(props) => (
          <input {...props} type="number" inputMode="numeric" value={minutes} onChange={(event) => setMinutes(event.target.value)} />
        )}
      />
      <button type="submit" disabled={fetching}>
        {fetching ? t("saving") : t("save")}
      </button>
    </form>
  );
}
