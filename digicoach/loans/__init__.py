"""Device loans: an inventory of laptops, tablets, smartphones and 4G hotspots per digipunt, lent to citizens."""
