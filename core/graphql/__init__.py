"""GraphQL: permissions, pagination, guards and the schema composed from enabled plugins."""
