"""Identity: Kartoteka as an OAuth 2.1 / OpenID Connect authorization server (docs/identity.md)."""
