"""Shared helpers of the tests (deterministic cheque data, components, a local PostgreSQL server) and benchmarks."""
