// Redis: see DESIGN.md.
