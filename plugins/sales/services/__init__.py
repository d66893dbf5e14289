"""Business rules of sales, one module per subdomain: processes and stages, opportunities, leads,
plans, reports; what sales gives other plugins (facts about persons, attributed revenue) and the
core (GDPR, merges). No GraphQL here.
"""
