"""TEMPORARY scaffold for the command line."""

from flask import Flask


def register_commands(app: Flask) -> None:
    return None
