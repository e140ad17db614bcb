"""Editable public texts with versions: accessibility statement, privacy notice, volunteer note."""
