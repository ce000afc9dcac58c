"""Tests of quality_balance.report."""
