"""Tests of quality_balance.demo."""
