"""The Hadir server: ingest, storage, rule engine, admin web UI and reports."""

__version__ = "0.1.0"
