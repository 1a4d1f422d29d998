"""Reliability and security tests (issue #8); a package so its module names stay unique."""
