"""Places and programmes: municipalities, neighbourhoods, digipunt locations, programmes."""
