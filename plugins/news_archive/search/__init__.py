"""Full-text search: the Whoosh schema, the build-time indexer and the WSGI service."""
