"""digicoach: run a municipal digital-inclusion programme with volunteer digicoaches."""

from digicoach.app import create_app

__all__ = ["create_app"]
