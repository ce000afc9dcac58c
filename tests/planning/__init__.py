"""Tests of quality_balance.planning."""
