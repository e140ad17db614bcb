"""Administration: users and their roles and scope, the audit log."""
