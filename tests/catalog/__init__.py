"""Tests of the data catalog and its crawler."""
