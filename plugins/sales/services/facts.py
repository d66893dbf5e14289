"""Facts sales knows about persons, for marketing's segments (``marketing_person_facts``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.querystring import QueryString


def won_deal_persons(params: Mapping[str, Any], sqlite: bool) -> QueryString:
    """Persons on a deal won since ``since`` — or working at a company that won one."""
    since = params["since"]
    return QueryString(
        "SELECT person FROM sales_opportunity WHERE status = 'won' AND deleted_at IS NULL AND person IS NOT NULL "
        "AND closed_at >= {} "
        "UNION SELECT core_employment.person FROM core_employment JOIN sales_opportunity "
        "ON sales_opportunity.company = core_employment.company WHERE sales_opportunity.status = 'won' "
        "AND sales_opportunity.deleted_at IS NULL AND sales_opportunity.closed_at >= {}",
        since,
        since,
    )


def open_deal_persons(params: Mapping[str, Any], sqlite: bool) -> QueryString:
    return QueryString(
        "SELECT person FROM sales_opportunity WHERE status = 'open' AND deleted_at IS NULL AND person IS NOT NULL"
    )
