"""Tests of SQL over the lake."""
