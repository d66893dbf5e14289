"""Business rules of sales, one module per subdomain: processes and stages, opportunities, leads,
plans; what sales gives other plugins (facts about persons, attributed revenue) and the core (GDPR,
merges). No GraphQL here; reports live in ``plugins.sales.reports``.
"""
