"""Citizens book help: online booking, the front-desk console, walk-ins and the manage link."""
