"""Staff GraphQL of web leads, a subdomain of marketing with its own types, queries and mutations."""
