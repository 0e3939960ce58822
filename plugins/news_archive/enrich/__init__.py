"""Enrichment: named entities and tags added to Stories after ingest."""
