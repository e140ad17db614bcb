"""The public "Waar kan ik terecht?" pages: all digital help near a citizen, from the help-session
schedule and the partner organisations' offers; and the same as data for the API and open data."""
