"""Extraction: pure functions from a page (URL + HTML) to article fields, one module per CMS."""
