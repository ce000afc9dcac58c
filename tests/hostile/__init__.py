"""Tests of quality_balance (a package, so helpers import as tests.builders; no pythonpath setting)."""
