"""Declarative base shared by every model module (placeholder until the sync branch lands)."""

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Root of all ORM models."""
