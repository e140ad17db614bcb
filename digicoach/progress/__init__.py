"""Progress toward the programme targets: figures, dashboard, public impact page (issue 8)."""
