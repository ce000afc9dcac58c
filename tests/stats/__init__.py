"""Tests of quality_balance.stats."""
