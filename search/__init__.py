"""A user's query -> ranked hits, facet counts, snippets and suggestions."""
