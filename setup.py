"""Lets scrapyd-deploy build the project's egg (it runs `setup.py bdist_egg`); everything is in pyproject.toml."""

from setuptools import setup

setup()
