"""Data rights: everything held about a person, in one download (issue 15)."""
