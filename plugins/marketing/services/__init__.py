"""Business rules of marketing, one module per subdomain: segments, campaigns and their sending,
responses (clicks, unsubscribes, bounces, results), occasion mail, web forms and matching, web
activity tracking, lead routing, call lists. No GraphQL here.
"""
