"""Readers of CSV and JSON rosters, and the one entry point that tells an upload's format."""
