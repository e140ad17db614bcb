"""Partner organisations of a municipality, their offers and opening hours, and the public
"where can I get help?" pages built from them."""
