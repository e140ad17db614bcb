"""Warm referrals: a coach or the desk refers a citizen to a partner organisation\x27s offer."""
