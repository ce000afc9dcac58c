"""Tests of quality_balance.standards."""
