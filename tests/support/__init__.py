"""Shared helpers of the dashboard tests (deterministic cheque data)."""
