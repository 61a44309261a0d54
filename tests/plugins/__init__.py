"""Pytest fixture modules, loaded by ``tests/conftest.py`` as plugins: one per kind of resource."""
