"""Accounts: users, roles and municipal scope, sign-in, sessions, two-factor, invitations."""
