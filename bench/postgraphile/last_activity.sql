-- "Last activity" of a company for PostGraphile 4: a STABLE SQL function that PostGraphile
-- exposes as the computed column CoreCompany.lastActivity. PostGraphile 4 takes a function as a
-- computed column only from the table's own schema (PgComputedColumnsPlugin compares the
-- namespaces), so it lives in public next to core_company; it adds no table or column, and
-- bench/crm_list.py creates it before starting PostGraphile (idempotent) and drops it afterwards.
CREATE OR REPLACE FUNCTION public.core_company_last_activity(company public.core_company)
RETURNS public.core_timeline_entry
LANGUAGE sql STABLE
AS $$
    SELECT e.*
    FROM public.core_timeline_entry e
    WHERE e.company = company.id
    ORDER BY e.occurred_at DESC, e.id DESC
    LIMIT 1
$$;

COMMENT ON FUNCTION public.core_company_last_activity(public.core_company) IS
    'bench/crm_list.py: PostGraphile''s lastActivity; not part of Kartoteka';
