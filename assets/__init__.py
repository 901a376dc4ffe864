"""WHAT homeclerk computes: one package per domain, plain functions plus thin Dagster wrappers."""
