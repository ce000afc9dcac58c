"""Tests of quality_balance.method."""
