"""Tracked items (UPU S10): items, events, non-delivery and returns, lookup, bulk ingest."""
