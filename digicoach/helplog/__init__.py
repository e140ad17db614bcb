"""Help logs: what help a digicoach gave, without personal data (issue 8)."""
