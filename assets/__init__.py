"""WHAT homeclerk computes: one subpackage per domain, plain functions plus thin Dagster wrappers."""
