"""Help at home: home visits booked by staff for citizens who cannot come to a digipunt."""
