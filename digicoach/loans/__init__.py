"""Device loans: a digipunt's laptops, tablets, smartphones and 4G hotspots, lent to citizens."""
