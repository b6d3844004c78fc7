"""The incident-response handbook engine: read, validate, model and render handbook data."""
