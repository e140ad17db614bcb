"""Help sessions at digipunten, coach shifts, the staffing board, calendar feeds and the public
digipunt pages (issue 5)."""
