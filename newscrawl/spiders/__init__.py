"""Spiders: one per configured source (built from sources.yaml), plus article, site and thepaper."""
