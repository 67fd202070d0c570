// SigV4: see DESIGN.md.
