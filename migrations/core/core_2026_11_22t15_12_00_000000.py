"""Trigram indexes for search: substring matches on names, NIP, e-mails and phones stay fast.

PostgreSQL: pg_trgm and a GIN index (ILIKE uses it). SQLite: an FTS5 table with the trigram
tokenizer, kept in step with core_search by triggers.
"""

from core.db.ddl import ddl_forwards

ID = "2026-11-22T15:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "Search indexes"

COMMON = ('CREATE UNIQUE INDEX core_search_subject ON core_search (entity, entity_id)',)
POSTGRES = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX core_search_trigram ON core_search USING gin (document gin_trgm_ops)",
)
SQLITE = (
    "CREATE VIRTUAL TABLE core_search_fts USING fts5(document, content='core_search', content_rowid='id', "
    "tokenize='trigram')",
    "CREATE TRIGGER core_search_ai AFTER INSERT ON core_search BEGIN "
    "INSERT INTO core_search_fts(rowid, document) VALUES (new.id, new.document); END",
    "CREATE TRIGGER core_search_ad AFTER DELETE ON core_search BEGIN "
    "INSERT INTO core_search_fts(core_search_fts, rowid, document) VALUES ('delete', old.id, old.document); END",
    "CREATE TRIGGER core_search_au AFTER UPDATE ON core_search BEGIN "
    "INSERT INTO core_search_fts(core_search_fts, rowid, document) VALUES ('delete', old.id, old.document); "
    "INSERT INTO core_search_fts(rowid, document) VALUES (new.id, new.document); END",
)


forwards = ddl_forwards(ID, "core", DESCRIPTION, COMMON, postgres=POSTGRES, sqlite=SQLITE)
