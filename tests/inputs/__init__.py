"""Tests of quality_balance.inputs."""
