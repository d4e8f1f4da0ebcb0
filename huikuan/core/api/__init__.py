"""Shared pieces of the REST API: money fields, scoped relations, the scoped viewset mixin."""
